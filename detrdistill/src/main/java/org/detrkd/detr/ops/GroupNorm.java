package org.detrkd.detr.ops;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;

/**
 * Group normalisation (Wu and He, 2018), as {@code torch.nn.GroupNorm(groups, channels, eps=1e-5, affine=True)}; DJL
 * has none. Deformable DETR's input projections use {@code GroupNorm(32, d)}.
 *
 * <p>Input {@code [N, C, *]}: the channels are split into {@code groups} consecutive groups, each normalised over its
 * channels and all trailing positions with the biased variance, {@code (x - mean) / sqrt(var + eps)}, then scaled and
 * shifted per channel by {@code weight [C]} (initialised to 1) and {@code bias [C]} (initialised to 0). Output has the
 * input's shape and manager.
 */
public final class GroupNorm extends AbstractBlock {

    private final int groups;
    private final int channels;
    private final float eps;
    private final Parameter weight;
    private final Parameter bias;

    /**
     * @param groups number of groups, dividing {@code channels}
     * @param channels number of channels C
     */
    public GroupNorm(int groups, int channels) {
        this(groups, channels, 1e-5f);
    }

    /**
     * @param groups number of groups, dividing {@code channels}
     * @param channels number of channels C
     * @param eps added to the variance
     */
    public GroupNorm(int groups, int channels, float eps) {
        if (groups < 1 || channels < 1 || channels % groups != 0) {
            throw new IllegalArgumentException("channels " + channels + " must be divisible by groups " + groups);
        }
        this.groups = groups;
        this.channels = channels;
        this.eps = eps;
        weight = addParameter(Parameter.builder().setName("weight").setType(Parameter.Type.GAMMA)
                .optShape(new Shape(channels)).optInitializer(Initializer.ONES).build());
        bias = addParameter(Parameter.builder().setName("bias").setType(Parameter.Type.BETA)
                .optShape(new Shape(channels)).optInitializer(Initializer.ZEROS).build());
    }

    /**
     * @param x {@code [N, C, *]}
     * @return the normalised {@code x}, same shape, on x's manager
     */
    public NDArray apply(ParameterStore ps, NDArray x, boolean training) {
        Shape s = x.getShape();
        if (s.dimension() < 2 || s.get(1) != channels) {
            throw new IllegalArgumentException("expected [N, " + channels + ", ...], got " + s);
        }
        long n = s.get(0);
        long rest = s.size() / (n * channels);
        NDArray g = x.reshape(n, groups, -1);
        NDArray centred = g.sub(g.mean(new int[] {2}, true));
        NDArray var = centred.square().mean(new int[] {2}, true);
        NDArray normed = centred.div(var.add(eps).sqrt()).reshape(n, channels, rest);
        NDManager batch = x.getManager();
        // reshaped views of the parameters are new arrays: attach them to the batch so the model's manager stays flat
        NDArray w = ps.getValue(weight, x.getDevice(), training).reshape(channels, 1);
        NDArray b = ps.getValue(bias, x.getDevice(), training).reshape(channels, 1);
        w.attach(batch);
        b.attach(batch);
        return normed.mul(w).add(b).reshape(s);
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> p) {
        return new NDList(apply(ps, inputs.singletonOrThrow(), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        // no children; the parameters have fixed shapes
    }
}
