package org.detrkd.detr.backbone;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * BatchNorm with fixed statistics and affine parameters, as DETR's {@code FrozenBatchNorm2d}: {@code y = (x - mean) /
 * sqrt(var + 1e-5) * weight + bias} per channel of an NCHW input, in training and inference alike.
 *
 * <p>Mechanism: the four buffers ({@code weight, bias, running_mean, running_var}, torchvision's names) are parameters
 * created with {@code requiresGrad = false}, so no gradient is computed or applied to them, and the forward always
 * uses BatchNorm's inference mode, so the statistics never change. Caution: DJL's {@code Block.freezeParameters(false)}
 * on an enclosing block marks every parameter trainable, these included; unfreeze with a predicate instead (see
 * {@link ResNet#isFrozenBuffer(Parameter)}).
 */
public final class FrozenBatchNorm2d extends AbstractBlock {

    private static final float EPS = 1e-5f;

    private final int channels;
    private final Parameter weight;
    private final Parameter bias;
    private final Parameter runningMean;
    private final Parameter runningVar;

    /** @param channels number of channels (axis 1 of the input) */
    public FrozenBatchNorm2d(int channels) {
        this.channels = channels;
        weight = addParameter(buffer("weight", Parameter.Type.GAMMA));
        bias = addParameter(buffer("bias", Parameter.Type.BETA));
        runningMean = addParameter(buffer("running_mean", Parameter.Type.RUNNING_MEAN));
        runningVar = addParameter(buffer("running_var", Parameter.Type.RUNNING_VAR));
    }

    private Parameter buffer(String name, Parameter.Type type) {
        return Parameter.builder().setName(name).setType(type).optShape(new Shape(channels))
                .optRequiresGrad(false).build();
    }

    /** @return the number of channels */
    public int channels() {
        return channels;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> p) {
        NDArray x = inputs.singletonOrThrow(); // [B, C, H, W]
        var device = x.getDevice();
        // The input is the first operand, so the result belongs to the batch's manager.
        return x.getNDArrayInternal().batchNorm(x, ps.getValue(runningMean, device, false),
                ps.getValue(runningVar, device, false), ps.getValue(weight, device, false),
                ps.getValue(bias, device, false), 1, 0.1f, EPS, false);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }
}
