package org.detrkd.detr.adamixer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

import org.detrkd.detr.ops.GroupNorm;
import org.detrkd.detr.transformer.Layers;

import java.util.ArrayList;
import java.util.List;

/**
 * The feature pyramid AdaMixer samples from. AdaMixer's own neck is a channel mapping of C2-C5 (strides 4-32) to d
 * channels; this suite's backbones expose C3-C5, so the neck maps C3, C4, C5 (strides 8, 16, 32) each through a 1x1
 * convolution and GroupNorm to d channels and, optionally, adds a stride-64 level by a 3x3 stride-2 convolution on C5
 * with GroupNorm (as Deformable DETR's extra level). No top-down path.
 *
 * <p>Input the backbone levels {@code [B, C_l, H_l, W_l]}; output {@code [B, d, H_l, W_l]} per level.
 */
public final class AdaMixerNeck extends AbstractBlock {

    private final int dModel;
    private final List<Conv2d> lateral = new ArrayList<>();
    private final List<GroupNorm> norms = new ArrayList<>();
    private final Conv2d extra;

    /**
     * @param dModel output channels d
     * @param inputLevels number of backbone levels
     * @param extraLevel whether to add the stride-2 level on the last one
     */
    public AdaMixerNeck(int dModel, int inputLevels, boolean extraLevel) {
        this.dModel = dModel;
        int groups = dModel % 32 == 0 ? 32 : 1;
        int levels = inputLevels + (extraLevel ? 1 : 0);
        for (int l = 0; l < inputLevels; l++) {
            lateral.add(addChildBlock("lateral." + l,
                    Conv2d.builder().setKernelShape(new Shape(1, 1)).setFilters(dModel).build()));
        }
        extra = extraLevel ? addChildBlock("extra", Conv2d.builder().setKernelShape(new Shape(3, 3))
                .optStride(new Shape(2, 2)).optPadding(new Shape(1, 1)).setFilters(dModel).build()) : null;
        for (int l = 0; l < levels; l++) {
            norms.add(addChildBlock("norm." + l, new GroupNorm(groups, dModel)));
        }
    }

    /**
     * @param feats backbone levels {@code [B, C_l, H_l, W_l]}
     * @return the pyramid {@code [B, d, H_l, W_l]}, finest first
     */
    public List<NDArray> apply(ParameterStore ps, NDList feats, boolean training) {
        List<NDArray> out = new ArrayList<>();
        for (int l = 0; l < lateral.size(); l++) {
            NDArray x = Layers.apply(lateral.get(l), ps, feats.get(l), training);
            out.add(norms.get(l).apply(ps, x, training));
        }
        if (extra != null) {
            NDArray x = Layers.apply(extra, ps, feats.get(feats.size() - 1), training);
            out.add(norms.get(norms.size() - 1).apply(ps, x, training));
        }
        return out;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> p) {
        return new NDList(apply(ps, in, training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] in) {
        List<Shape> out = new ArrayList<>();
        for (Shape s : in) {
            out.add(new Shape(s.get(0), dModel, s.get(2), s.get(3)));
        }
        if (extra != null) {
            Shape s = in[in.length - 1];
            out.add(new Shape(s.get(0), dModel, (s.get(2) + 1) / 2, (s.get(3) + 1) / 2));
        }
        return out.toArray(new Shape[0]);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        for (int l = 0; l < lateral.size(); l++) {
            lateral.get(l).initialize(manager, dataType, inputShapes[l]);
        }
        if (extra != null) {
            extra.initialize(manager, dataType, inputShapes[inputShapes.length - 1]);
        }
        for (GroupNorm n : norms) {
            n.initialize(manager, dataType, new Shape(1, dModel, 1, 1));
        }
    }
}
