package org.detrkd.baselines.fitnet;

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
import ai.djl.training.initializer.UniformInitializer;
import ai.djl.util.PairList;

/**
 * A trainable feature adapter {@code [B, Cin, H, W] -> [B, Cout, H, W]}: one {@code k x k} convolution (padding
 * {@code k/2}, with bias), optionally followed by ReLU. This is the FitNets regressor ("hint" adapter) and the 1x1
 * "align" convolution that FGD, MGD and FKD put on the student when channel counts differ; FGFI uses the 3x3 + ReLU
 * form.
 *
 * <p>Initialisation follows PyTorch's {@code nn.Conv2d} default for the weight (uniform in {@code +-1/sqrt(fan_in)});
 * the bias starts at zero (PyTorch draws it from the same range; the difference is immaterial for an adapter).
 */
public final class FeatureAdapter extends AbstractBlock {

    private final int inChannels;
    private final int outChannels;
    private final int kernel;
    private final boolean relu;
    private final Conv2d conv;

    /**
     * @param inChannels input channels (the student's)
     * @param outChannels output channels (the teacher's)
     * @param kernel odd kernel size (1 or 3)
     * @param relu whether a ReLU follows the convolution
     */
    public FeatureAdapter(int inChannels, int outChannels, int kernel, boolean relu) {
        if (inChannels < 1 || outChannels < 1 || kernel < 1 || kernel % 2 == 0) {
            throw new IllegalArgumentException("bad adapter " + inChannels + "->" + outChannels + " kernel " + kernel);
        }
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernel = kernel;
        this.relu = relu;
        conv = addChildBlock("conv", Conv2d.builder().setKernelShape(new Shape(kernel, kernel)).setFilters(outChannels)
                .optPadding(new Shape(kernel / 2, kernel / 2)).optBias(true).build());
        conv.setInitializer(new UniformInitializer((float) (1 / Math.sqrt((double) inChannels * kernel * kernel))),
                Parameter.Type.WEIGHT);
    }

    /** @return a 1x1 convolution without activation, {@code Cin -> Cout} */
    public static FeatureAdapter conv1x1(int inChannels, int outChannels) {
        return new FeatureAdapter(inChannels, outChannels, 1, false);
    }

    /** @return the convolution (parameters {@code weight [Cout, Cin, k, k]} and {@code bias [Cout]}) */
    public Conv2d conv() {
        return conv;
    }

    /** @return input channels */
    public int inChannels() {
        return inChannels;
    }

    /** @return output channels */
    public int outChannels() {
        return outChannels;
    }

    /** @return {@code [B, Cout, H, W]} from {@code x [B, Cin, H, W]}; the result belongs to {@code x}'s manager */
    public NDArray apply(ParameterStore ps, NDArray x, boolean training) {
        NDArray y = conv.forward(ps, new NDList(x), training).singletonOrThrow();
        return relu ? Activation.relu(y) : y;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> p) {
        return new NDList(apply(ps, inputs.singletonOrThrow(), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape s = inputShapes[0];
        return new Shape[] {new Shape(s.get(0), outChannels, s.get(2), s.get(3))};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        conv.initialize(manager, dataType, new Shape(1, inChannels, kernel, kernel));
    }
}
