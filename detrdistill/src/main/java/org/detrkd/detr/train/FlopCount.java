package org.detrkd.detr.train;

import org.detrkd.detr.backbone.ResNetSpec;
import org.detrkd.detr.conditional.ConditionalDetrConfig;

/**
 * Analytic multiply-accumulate count of one Conditional DETR forward pass, counting only convolutions, linear layers
 * and attention matrix products (the operations that dominate; normalisation, activations, softmax, position
 * embeddings, losses and matching are left out, a few percent at these sizes). One MAC = 2 FLOPs; a training step is
 * taken as 3 x the forward (the backward computes gradients for inputs and weights, about 2 x the forward), the
 * usual rule of thumb.
 *
 * <p>Backbone: stem {@code k x k} stride 2, 3x3 stride 2 max-pool, then torchvision's basic or bottleneck blocks
 * (stride on the first block of stages 2-4, a 1x1 downsample where shape changes). Transformer, with {@code S} the
 * positions of the level it reads (C5, or C4 for the mini presets), {@code Q} queries, {@code d} width, {@code f} FFN width: 1x1 input projection; per encoder layer q, k, v,
 * out projections {@code 4 S d^2}, scores and weighted sum {@code 2 S^2 d}, FFN {@code 2 S d f}; per decoder layer the
 * conditional self-attention content/position projections and value ({@code 5 Q d^2}), out projection, scores
 * {@code 2 Q^2 d}, cross-attention query projections ({@code 2-3 Q d^2}), key content/position and value projections
 * of the memory ({@code 3 S d^2}), scores over the 2d concatenation ({@code 2 Q S d}) plus the weighted sum
 * ({@code Q S d}), out projection, FFN {@code 2 Q d f} and the query-scale MLP; heads on every stage (class
 * {@code Q d K}, box MLP {@code 2 Q d^2 + 4 Q d}) and the reference-point MLP.
 */
public final class FlopCount {

    private FlopCount() {}

    /**
     * @param c the detector settings
     * @param batch images
     * @param height input height
     * @param width input width
     * @return forward multiply-accumulates of the batch
     */
    public static double forwardMacs(ConditionalDetrConfig c, int batch, int height, int width) {
        double[] backbone = backboneMacs(c.backbone(), height, width);
        int level = c.featureIndex(); // 0 = C3, 1 = C4, 2 = C5: the map the transformer reads
        double s = backbone[1 + level];
        double macs = backbone[0] + c.backbone().featureChannels()[level] * c.hiddenDim() * s
                + transformerMacs(c, s);
        return batch * macs;
    }

    /**
     * @param c detector settings
     * @param batch images
     * @param height input height
     * @param width input width
     * @return approximate FLOPs of one training step (3 x forward, 2 FLOPs per MAC)
     */
    public static double trainStepFlops(ConditionalDetrConfig c, int batch, int height, int width) {
        return 3 * 2 * forwardMacs(c, batch, height, width);
    }

    /** @return {backbone MACs per image, positions of C3, of C4, of C5} */
    static double[] backboneMacs(ResNetSpec spec, int height, int width) {
        int k = spec.stemKernel();
        long h = ceilDiv(height, 2);
        long w = ceilDiv(width, 2);
        double macs = 3.0 * spec.stemWidth() * k * k * h * w;
        h = ceilDiv(h, 2);
        w = ceilDiv(w, 2);
        long in = spec.stemWidth();
        boolean bottleneck = spec.blockType() == ResNetSpec.BlockType.BOTTLENECK;
        double[] positions = new double[4];
        for (int st = 0; st < 4; st++) {
            long width0 = spec.stageWidth(st);
            for (int b = 0; b < spec.blocksPerStage()[st]; b++) {
                int stride = b == 0 && st > 0 ? 2 : 1;
                long ho = ceilDiv(h, stride);
                long wo = ceilDiv(w, stride);
                long out = bottleneck ? 4 * width0 : width0;
                if (bottleneck) {
                    macs += (double) in * width0 * h * w + 9.0 * width0 * width0 * ho * wo
                            + (double) width0 * out * ho * wo;
                } else {
                    macs += 9.0 * in * width0 * ho * wo + 9.0 * width0 * width0 * ho * wo;
                }
                if (stride != 1 || in != out) {
                    macs += (double) in * out * ho * wo;
                }
                in = out;
                h = ho;
                w = wo;
            }
            positions[st] = (double) h * w;
        }
        return new double[] {macs, positions[1], positions[2], positions[3]};
    }

    static double transformerMacs(ConditionalDetrConfig c, double s) {
        double d = c.hiddenDim();
        double f = c.ffnDim();
        double q = c.numQueries();
        double enc = c.encoderLayers() * (4 * s * d * d + 2 * s * s * d + 2 * s * d * f);
        double dec = 0;
        for (int l = 0; l < c.decoderLayers(); l++) {
            double self = 6 * q * d * d + 2 * q * q * d;
            double cross = (l == 0 ? 3 : 2) * q * d * d + 3 * s * d * d + 2 * q * s * d + q * s * d + q * d * d;
            double scale = l == 0 ? 0 : 2 * q * d * d;
            dec += self + cross + 2 * q * d * f + scale;
        }
        double heads = c.decoderLayers() * (q * d * c.numClasses() + 2 * q * d * d + 4 * q * d);
        double ref = q * d * d + 2 * q * d;
        return enc + dec + heads + ref;
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}
