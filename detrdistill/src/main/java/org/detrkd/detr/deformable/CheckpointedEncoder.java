package org.detrkd.detr.deformable;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.training.ParameterStore;

import org.detrkd.detr.ops.BilinearCorners;
import org.detrkd.detr.ops.GradientCheckpoint;
import org.detrkd.detr.ops.SpatialShapes;
import org.detrkd.detr.ops.TentSampling;
import org.detrkd.detr.transformer.DropoutMasks;

import java.util.ArrayList;
import java.util.List;

/**
 * Deformable DETR's encoder stack with gradient checkpointing ({@link GradientCheckpoint}): the training forward runs
 * every layer without a graph, keeping only each layer's input {@code [B, S, d]} and its dropout masks, and hands the
 * decoder a leaf for the memory; after the main backward pass the layers are recomputed one at a time, newest first,
 * each back-propagating the gradient its output received into its parameters and its input; the last step sends the
 * gradients of the encoder's input and position embedding into the neck, the backbone and the level embedding.
 *
 * <p>Why: with the gather path of deformable attention every encoder layer keeps its sampled values for the backward
 * pass ({@code B x S x heads x 4 L P x D} floats: about 2.3 GB per layer for two 800 x 1066 images), so six layers do
 * not fit a 24 GB machine. Checkpointed, one layer's worth is alive at a time, for one extra forward of the encoder.
 * The gradients equal the plain encoder's (tested, with and without dropout).
 */
final class CheckpointedEncoder implements GradientCheckpoint.Segment {

    private final List<DeformableEncoderLayer> layers;
    private final ParameterStore ps;
    private final NDArray src;
    private final NDArray pos;
    private final NDArray reference;
    private final SpatialShapes shapes;
    private final NDArray paddingMask;
    private final List<NDArray> inputs = new ArrayList<>();
    private final List<DropoutMasks> dropouts = new ArrayList<>();
    private NDArray memory;

    private CheckpointedEncoder(List<DeformableEncoderLayer> layers, ParameterStore ps, NDArray src, NDArray pos,
            NDArray reference, SpatialShapes shapes, NDArray paddingMask) {
        this.layers = layers;
        this.ps = ps;
        this.src = src;
        this.pos = pos;
        this.reference = reference;
        this.shapes = shapes;
        this.paddingMask = paddingMask;
    }

    /**
     * Runs the encoder in training mode without keeping its graph and registers the recomputation.
     *
     * @param src {@code [B, S, d]} the flattened neck output (in the graph)
     * @param pos {@code [B, S, d]} sine plus level embedding (in the graph)
     * @param reference {@code [B, S, L, 2]} reference points (no gradient)
     * @param paddingMask {@code [B, S]} true = padding, or null
     * @return {@code [B, S, d]} the memory, a leaf that collects the gradient the rest of the model sends it
     */
    static NDArray forward(List<DeformableEncoderLayer> layers, ParameterStore ps, NDArray src, NDArray pos,
            NDArray reference, SpatialShapes shapes, NDArray paddingMask) {
        CheckpointedEncoder e = new CheckpointedEncoder(layers, ps, src, pos, reference, shapes, paddingMask);
        e.memory = GradientCheckpoint.withoutGraph(e::runWithoutGraph);
        e.memory.setRequiresGradient(true);
        GradientCheckpoint.register(e);
        return e.memory;
    }

    private NDArray runWithoutGraph() {
        NDArray x = src.stopGradient();
        NDArray p = pos.stopGradient();
        for (DeformableEncoderLayer layer : layers) {
            inputs.add(x);
            DropoutMasks masks = new DropoutMasks();
            dropouts.add(masks);
            NDArray in = x;
            try (NDScope scope = new NDScope()) {
                x = masks.record(() -> layer.apply(ps, in, p, reference, shapes, paddingMask, true));
                NDScope.unregister(x);
            }
        }
        return x;
    }

    @Override
    public void backward() {
        NDArray grad = memory.getGradient();
        NDArray posLeaf = pos.stopGradient();
        posLeaf.setRequiresGradient(true);
        for (int i = layers.size() - 1; i >= 0; i--) {
            NDArray in = inputs.get(i);
            in.setRequiresGradient(true);
            DeformableEncoderLayer layer = layers.get(i);
            try (NDScope scope = new NDScope()) {
                NDArray out = dropouts.get(i).replay(
                        () -> layer.apply(ps, in, posLeaf, reference, shapes, paddingMask, true));
                GradientCheckpoint.backward(out, grad, false);
            }
            grad = in.getGradient();
        }
        // into the neck, the backbone and the level embedding, in one pass (requires_grad of a non-leaf is not
        // readable through DJL: both inputs are in the graph whenever the model trains)
        NDArray upstream = src.mul(grad).sum().add(pos.mul(posLeaf.getGradient()).sum());
        GradientCheckpoint.backward(upstream, upstream.onesLike(), false);
    }

    /**
     * Whether a training forward should checkpoint the encoder: the system property {@link #PROPERTY} ({@code on},
     * {@code off}, or {@code auto}, the default); in {@code auto}, when deformable attention takes the gather path and
     * each layer would keep more than {@link #AUTO_BYTES} of sampled values for the backward pass.
     *
     * @param batch B
     * @param shapes the level shapes (S = shapes.total() encoder queries per image)
     * @param config the model's settings
     * @return whether to checkpoint
     */
    static boolean wanted(long batch, SpatialShapes shapes, DeformableDetrConfig config) {
        String mode = System.getProperty(PROPERTY, "auto");
        if (mode.equals("on") || mode.equals("off")) {
            return mode.equals("on");
        }
        long channels = config.hiddenDim() / config.heads();
        if (TentSampling.preferred(shapes, config.points(), channels)) {
            return false;
        }
        double bytes = 4.0 * batch * shapes.total() * config.hiddenDim() * shapes.levels() * config.points()
                * BilinearCorners.CORNERS;
        return bytes > AUTO_BYTES;
    }

    /** System property: {@code on}, {@code off} or {@code auto} (default). */
    static final String PROPERTY = "detrkd.checkpoint.encoder";

    /** Sampled bytes per encoder layer above which {@code auto} checkpoints: 512 MiB. */
    static final double AUTO_BYTES = 512.0 * 1024 * 1024;
}
