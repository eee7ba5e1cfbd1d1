package org.detrkd.detr.adamixer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;

import org.detrkd.detr.transformer.Layers;

/**
 * AdaMixer's adaptive mixing ({@code AdaptiveMixing}): from the query content a linear generator makes, per query and
 * group, a channel-mixing matrix {@code M [C_g, C_g]} and a spatial-mixing matrix {@code S [P_out, P_in]}. The sampled
 * features {@code X [P_in, C_g]} become {@code relu(LN(X M))}, then {@code relu(LN(S .))} ({@code [P_out, C_g]}; LN
 * without affine over both axes, as {@code F.layer_norm(out, [P, C])}), are flattened over groups and projected back
 * to d. The residual and the LayerNorm after it belong to {@link AdaMixerStage}.
 *
 * <p>Initialisation as AdaMixer: generator weight 0 with PyTorch's default bias (uniform in {@code +-1/sqrt(d)}), so
 * the initial mixing matrices are query-independent but not zero; output projection DJL's default.
 */
public final class AdaptiveMixing extends AbstractBlock {

    private final int dModel;
    private final int groups;
    private final int channels;
    private final int inPoints;
    private final int outPoints;
    private final Linear generator;
    private final Linear outProj;

    /**
     * @param dModel model width d
     * @param groups groups g
     * @param inPoints P_in
     * @param outPoints P_out
     */
    public AdaptiveMixing(int dModel, int groups, int inPoints, int outPoints) {
        this.dModel = dModel;
        this.groups = groups;
        this.channels = dModel / groups;
        this.inPoints = inPoints;
        this.outPoints = outPoints;
        long perGroup = (long) channels * channels + (long) outPoints * inPoints;
        generator = addChildBlock("parameter_generator", Linear.builder().setUnits(groups * perGroup).build());
        outProj = addChildBlock("out_proj", Linear.builder().setUnits(dModel).build());
        float bound = (float) (1 / Math.sqrt(dModel));
        generator.setInitializer(Initializer.ZEROS, Parameter.Type.WEIGHT);
        generator.setInitializer((m, shape, type) -> m.randomUniform(-bound, bound, shape, type), Parameter.Type.BIAS);
    }

    /** @return the linear layer generating the mixing matrices */
    public Linear generator() {
        return generator;
    }

    /**
     * @param sampled {@code [B, N, g, P_in, C_g]}
     * @param content {@code [B, N, d]} the query content the matrices are generated from
     * @return {@code [B, N, d]} the mixed features (before the residual)
     */
    public NDArray apply(ParameterStore ps, NDArray sampled, NDArray content, boolean training) {
        long b = content.getShape().get(0);
        long n = content.getShape().get(1);
        long bn = b * n;
        long mSize = (long) channels * channels;
        NDArray params = Layers.apply(generator, ps, content, training).reshape(bn, groups, -1);
        NDArray channelMix = params.get(":, :, :" + mSize).reshape(bn, groups, channels, channels);
        NDArray spatialMix = params.get(":, :, " + mSize + ":").reshape(bn, groups, outPoints, inPoints);
        NDArray x = sampled.reshape(bn, groups, inPoints, channels).matMul(channelMix); // [BN, g, P_in, C_g]
        x = Activation.relu(normalizeLastTwo(x));
        x = spatialMix.matMul(x); // [BN, g, P_out, C_g]
        x = Activation.relu(normalizeLastTwo(x));
        return Layers.apply(outProj, ps, x.reshape(b, n, (long) groups * outPoints * channels), training);
    }

    /** {@code F.layer_norm(x, x.shape[-2:])} without affine parameters, epsilon 1e-5. */
    static NDArray normalizeLastTwo(NDArray x) {
        Shape s = x.getShape();
        int d = s.dimension();
        NDArray flat = x.reshape(s.slice(0, d - 2).add(s.get(d - 2) * s.get(d - 1)));
        NDArray centred = flat.sub(flat.mean(new int[] {d - 2}, true));
        NDArray var = centred.square().mean(new int[] {d - 2}, true);
        return centred.div(var.add(1e-5f).sqrt()).reshape(s);
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> p) {
        return new NDList(apply(ps, in.get(0), in.get(1), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] in) {
        return new Shape[] {in[1]};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        generator.initialize(manager, dataType, new Shape(1, 1, dModel));
        outProj.initialize(manager, dataType, new Shape(1, 1, (long) groups * outPoints * channels));
    }
}
