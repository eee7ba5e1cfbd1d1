package org.detrkd.baselines.fgd;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.training.initializer.UniformInitializer;
import ai.djl.util.PairList;

/**
 * The global-context block of FGD's relation loss (GCNet, Cao et al. 2019, as in yzd-v/FGD {@code spatial_pool} and
 * {@code channel_add_conv}) on {@code x [B, C, H, W]}:
 *
 * <pre>
 *   context = sum_hw x[:, :, hw] * softmax_hw(conv_mask(x))          [B, C, 1, 1]
 *   out     = x + conv2(relu(layerNorm(conv1(context))))             [B, C, H, W]
 * </pre>
 * conv_mask is 1x1 {@code C -> 1}, conv1 1x1 {@code C -> C/2}, the LayerNorm normalises over the {@code C/2} context
 * values (eps 1e-5, affine), conv2 1x1 {@code C/2 -> C}. Initialisation as the reference {@code reset_parameters}:
 * conv_mask Kaiming normal (fan in, ReLU gain) with zero bias, conv2 all zero ({@code last_zero_init}, so the block is
 * the identity at the start), conv1 PyTorch's default weight range with zero bias, LayerNorm ones / zeros.
 */
public final class GcBlock extends AbstractBlock {

    private static final float LN_EPS = 1e-5f;

    private final int channels;
    private final Conv2d convMask;
    private final Conv2d conv1;
    private final Parameter lnWeight;
    private final Parameter lnBias;
    private final Conv2d conv2;

    /** @param channels C (even; C/2 is the context width) */
    public GcBlock(int channels) {
        if (channels < 2) {
            throw new IllegalArgumentException("GcBlock needs at least 2 channels, got " + channels);
        }
        this.channels = channels;
        convMask = addChildBlock("conv_mask", conv1x1(1));
        conv1 = addChildBlock("conv1", conv1x1(channels / 2));
        conv2 = addChildBlock("conv2", conv1x1(channels));
        lnWeight = addParameter(Parameter.builder().setName("ln_weight").setType(Parameter.Type.GAMMA)
                .optShape(new Shape(channels / 2)).build());
        lnBias = addParameter(Parameter.builder().setName("ln_bias").setType(Parameter.Type.BETA)
                .optShape(new Shape(channels / 2)).build());
        convMask.setInitializer(new NormalInitializer((float) Math.sqrt(2.0 / channels)), Parameter.Type.WEIGHT);
        conv1.setInitializer(new UniformInitializer((float) (1 / Math.sqrt(channels))), Parameter.Type.WEIGHT);
        conv2.setInitializer(Initializer.ZEROS, Parameter.Type.WEIGHT);
    }

    private static Conv2d conv1x1(int filters) {
        return Conv2d.builder().setKernelShape(new Shape(1, 1)).setFilters(filters).optBias(true).build();
    }

    /** @return the 1x1 convolutions by reference name: {@code conv_mask}, {@code conv1}, {@code conv2} */
    public Conv2d conv(String name) {
        switch (name) {
            case "conv_mask":
                return convMask;
            case "conv1":
                return conv1;
            case "conv2":
                return conv2;
            default:
                throw new IllegalArgumentException("no convolution " + name);
        }
    }

    /** @return the LayerNorm weight {@code [C/2]} */
    public Parameter lnWeight() {
        return lnWeight;
    }

    /** @return the LayerNorm bias {@code [C/2]} */
    public Parameter lnBias() {
        return lnBias;
    }

    /** @return {@code [B, C, H, W]}: {@code x} plus its broadcast global-context term */
    public NDArray apply(ParameterStore ps, NDArray x, boolean training) {
        long b = x.getShape().get(0);
        long hw = x.getShape().get(2) * x.getShape().get(3);
        NDArray logits = convMask.forward(ps, new NDList(x), training).singletonOrThrow(); // [B, 1, H, W]
        NDArray weights = logits.reshape(b, 1, hw).softmax(2).reshape(b, hw, 1);
        NDArray context = x.reshape(b, channels, hw).matMul(weights).reshape(b, channels, 1, 1);
        NDArray y = conv1.forward(ps, new NDList(context), training).singletonOrThrow().reshape(b, channels / 2);
        NDArray centred = y.sub(y.mean(new int[] {1}, true));
        NDArray var = centred.square().mean(new int[] {1}, true);
        var device = x.getDevice();
        NDArray normed = centred.div(var.add(LN_EPS).sqrt()).mul(ps.getValue(lnWeight, device, training))
                .add(ps.getValue(lnBias, device, training));
        NDArray hidden = Activation.relu(normed).reshape(b, channels / 2, 1, 1);
        NDArray add = conv2.forward(ps, new NDList(hidden), training).singletonOrThrow(); // [B, C, 1, 1]
        return x.add(add);
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
        convMask.initialize(manager, dataType, new Shape(1, channels, 1, 1));
        conv1.initialize(manager, dataType, new Shape(1, channels, 1, 1));
        conv2.initialize(manager, dataType, new Shape(1, channels / 2, 1, 1));
    }
}
