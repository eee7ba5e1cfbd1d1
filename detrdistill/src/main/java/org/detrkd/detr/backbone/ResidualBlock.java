package org.detrkd.detr.backbone;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One torchvision residual block on NCHW maps: a chain of convolution + BatchNorm pairs ({@code conv1/bn1, conv2/bn2
 * [, conv3/bn3]}) with ReLU between them, added to the input (or to {@code downsample(x)}, a strided 1x1 convolution +
 * BatchNorm, when the shape changes), then ReLU.
 *
 * <ul>
 *   <li>{@link #basic}: 3x3 (stride s), 3x3; output channels = width (ResNet-18/34 {@code BasicBlock});
 *   <li>{@link #bottleneck}: 1x1, 3x3 (stride s), 1x1 to 4 x width (ResNet-50/101 {@code Bottleneck}, stride on the
 *       3x3 as torchvision).
 * </ul>
 */
public final class ResidualBlock extends AbstractBlock {

    private final List<Block> convs = new ArrayList<>();
    private final List<Block> norms = new ArrayList<>();
    private final Block downConv;
    private final Block downNorm;

    private ResidualBlock(int inChannels, int[] filters, int[] kernels, int stride, int strideAt, boolean frozenBn) {
        for (int i = 0; i < filters.length; i++) {
            int s = i == strideAt ? stride : 1;
            convs.add(addChildBlock("conv" + (i + 1), conv(filters[i], kernels[i], s)));
            norms.add(addChildBlock("bn" + (i + 1), NormLayers.batchNorm(filters[i], frozenBn)));
        }
        int out = filters[filters.length - 1];
        if (stride != 1 || inChannels != out) {
            downConv = addChildBlock("downsample.0", conv(out, 1, stride));
            downNorm = addChildBlock("downsample.1", NormLayers.batchNorm(out, frozenBn));
        } else {
            downConv = null;
            downNorm = null;
        }
    }

    /** @return a basic block from {@code inChannels} to {@code width} channels with the given stride */
    public static ResidualBlock basic(int inChannels, int width, int stride, boolean frozenBn) {
        return new ResidualBlock(inChannels, new int[] {width, width}, new int[] {3, 3}, stride, 0, frozenBn);
    }

    /** @return a bottleneck block from {@code inChannels} to {@code 4 * width} channels with the given stride */
    public static ResidualBlock bottleneck(int inChannels, int width, int stride, boolean frozenBn) {
        return new ResidualBlock(inChannels, new int[] {width, width, 4 * width}, new int[] {1, 3, 1}, stride, 1,
                frozenBn);
    }

    static Block conv(int filters, int kernel, int stride) {
        return Conv2d.builder().setKernelShape(new Shape(kernel, kernel)).setFilters(filters)
                .optStride(new Shape(stride, stride)).optPadding(new Shape(kernel / 2, kernel / 2)).optBias(false)
                .build();
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> p) {
        NDArray x = inputs.singletonOrThrow(); // [B, Cin, H, W]
        NDList y = inputs;
        for (int i = 0; i < convs.size(); i++) {
            y = norms.get(i).forward(ps, convs.get(i).forward(ps, y, training), training);
            if (i < convs.size() - 1) {
                y = new NDList(Activation.relu(y.singletonOrThrow()));
            }
        }
        NDArray identity = x;
        if (downConv != null) {
            identity = downNorm.forward(ps, downConv.forward(ps, inputs, training), training).singletonOrThrow();
        }
        return new NDList(Activation.relu(y.singletonOrThrow().add(identity))); // [B, Cout, H/s, W/s]
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape[] s = inputShapes;
        for (Block c : convs) {
            s = c.getOutputShapes(s);
        }
        return s;
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape[] s = inputShapes;
        for (int i = 0; i < convs.size(); i++) {
            convs.get(i).initialize(manager, dataType, s);
            s = convs.get(i).getOutputShapes(s);
            norms.get(i).initialize(manager, dataType, s);
        }
        if (downConv != null) {
            downConv.initialize(manager, dataType, inputShapes);
            downNorm.initialize(manager, dataType, downConv.getOutputShapes(inputShapes));
        }
    }

    /** Puts this block's parameters into {@code out} under torchvision's names, below {@code prefix}. */
    void collectTorchvision(String prefix, Map<String, Parameter> out) {
        for (int i = 0; i < convs.size(); i++) {
            out.put(prefix + ".conv" + (i + 1) + ".weight", convs.get(i).getDirectParameters().get("weight"));
            NormLayers.collect(norms.get(i), prefix + ".bn" + (i + 1), out);
        }
        if (downConv != null) {
            out.put(prefix + ".downsample.0.weight", downConv.getDirectParameters().get("weight"));
            NormLayers.collect(downNorm, prefix + ".downsample.1", out);
        }
    }
}
