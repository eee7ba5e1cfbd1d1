package org.detrkd.detr.deformable;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.util.PairList;

import org.detrkd.detr.ops.GroupNorm;
import org.detrkd.detr.transformer.Layers;

import java.util.ArrayList;
import java.util.List;

/**
 * Deformable DETR's multi-scale neck ({@code input_proj}): each used backbone level goes through a 1x1 convolution to
 * d channels and GroupNorm; each extra level is a 3x3 stride-2 (padding 1) convolution plus GroupNorm, the first on C5
 * (the backbone's channels), the next ones on the previous extra level. Convolution weights xavier-uniform, biases 0,
 * as the reference.
 *
 * <p>Input: the backbone levels actually used, {@code [B, C_l, H_l, W_l]} (finest first). Output: L maps
 * {@code [B, d, H_l, W_l]}, finest first; an extra level has {@code ceil(H / 2) x ceil(W / 2)} of the level before.
 */
public final class InputProjections extends AbstractBlock {

    private final int[] inChannels;
    private final int dModel;
    private final List<Conv2d> convs = new ArrayList<>();
    private final List<GroupNorm> norms = new ArrayList<>();

    /**
     * @param inChannels channels of the used backbone levels, finest first
     * @param levels L, total number of levels ({@code >= inChannels.length}; the rest are extra levels)
     * @param dModel d
     * @param groups GroupNorm groups
     */
    public InputProjections(int[] inChannels, int levels, int dModel, int groups) {
        if (levels < inChannels.length) {
            throw new IllegalArgumentException(levels + " levels but " + inChannels.length + " backbone levels");
        }
        this.inChannels = inChannels.clone();
        this.dModel = dModel;
        Initializer xavier = new XavierInitializer(XavierInitializer.RandomType.UNIFORM,
                XavierInitializer.FactorType.AVG, 3);
        for (int l = 0; l < levels; l++) {
            boolean extra = l >= inChannels.length;
            Conv2d.Builder b = Conv2d.builder().setFilters(dModel);
            if (extra) {
                b.setKernelShape(new Shape(3, 3)).optStride(new Shape(2, 2)).optPadding(new Shape(1, 1));
            } else {
                b.setKernelShape(new Shape(1, 1));
            }
            Conv2d conv = addChildBlock("input_proj." + l + ".0", b.build());
            conv.setInitializer(xavier, Parameter.Type.WEIGHT);
            conv.setInitializer(Initializer.ZEROS, Parameter.Type.BIAS);
            convs.add(conv);
            norms.add(addChildBlock("input_proj." + l + ".1", new GroupNorm(groups, dModel)));
        }
    }

    /** @return the number of output levels L */
    public int levels() {
        return convs.size();
    }

    /**
     * @param backboneLevels the used backbone maps, finest first
     * @return the L projected maps {@code [B, d, H_l, W_l]}
     */
    public List<NDArray> apply(ParameterStore ps, List<NDArray> backboneLevels, boolean training) {
        List<NDArray> out = new ArrayList<>();
        int n = inChannels.length;
        for (int l = 0; l < convs.size(); l++) {
            NDArray in = l < n ? backboneLevels.get(l) : l == n ? backboneLevels.get(n - 1) : out.get(l - 1);
            NDArray y = Layers.apply(convs.get(l), ps, in, training);
            out.add(norms.get(l).apply(ps, y, training));
        }
        return out;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> p) {
        return new NDList(apply(ps, inputs, training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] in) {
        Shape[] out = new Shape[convs.size()];
        int n = inChannels.length;
        for (int l = 0; l < out.length; l++) {
            Shape s = l < n ? in[l] : out[l - 1]; // an extra level halves the one before (same size as C5 at l = n)
            long h = l < n ? s.get(2) : (s.get(2) + 1) / 2;
            long w = l < n ? s.get(3) : (s.get(3) + 1) / 2;
            out[l] = new Shape(s.get(0), dModel, h, w);
        }
        return out;
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        int n = inChannels.length;
        for (int l = 0; l < convs.size(); l++) {
            long c = l < n ? inChannels[l] : l == n ? inChannels[n - 1] : dModel;
            convs.get(l).initialize(manager, dataType, new Shape(1, c, 8, 8));
            norms.get(l).initialize(manager, dataType, new Shape(1, dModel, 8, 8));
        }
    }
}
