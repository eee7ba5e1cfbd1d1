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
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * A torchvision-shaped ResNet without its classifier, returning the C3, C4 and C5 maps (strides 8, 16, 32).
 *
 * <p>Input {@code NDList(images)} with images {@code [B, 3, H, W]}; output {@code NDList(c3, c4, c5)} with {@code c_l
 * [B, spec.featureChannels()[l], ceil(H / stride_l), ceil(W / stride_l)]} (exactly so when H, W are multiples of 32).
 * The stem is {@code conv1 / bn1 / ReLU / maxpool 3x3 s2}, then {@code layer1 .. layer4}; the first block of layers 2-4
 * has stride 2. {@link #torchvisionParameters()} names every parameter as torchvision's {@code state_dict} does.
 */
public final class ResNet extends AbstractBlock {

    private final ResNetSpec spec;
    private final Block stemConv;
    private final Block stemNorm;
    private final List<List<ResidualBlock>> stages = new ArrayList<>();
    private final Set<String> frozenIds;

    /** @param spec depth, width, stem and BatchNorm mode */
    public ResNet(ResNetSpec spec) {
        this.spec = spec;
        stemConv = addChildBlock("conv1", ResidualBlock.conv(spec.stemWidth(), spec.stemKernel(), 2));
        stemNorm = addChildBlock("bn1", NormLayers.batchNorm(spec.stemWidth(), spec.frozenBatchNorm()));
        int in = spec.stemWidth();
        int[] blocks = spec.blocksPerStage();
        for (int s = 0; s < 4; s++) {
            List<ResidualBlock> stage = new ArrayList<>();
            for (int b = 0; b < blocks[s]; b++) {
                int stride = (b == 0 && s > 0) ? 2 : 1;
                ResidualBlock block = spec.blockType() == ResNetSpec.BlockType.BASIC
                        ? ResidualBlock.basic(in, spec.stageWidth(s), stride, spec.frozenBatchNorm())
                        : ResidualBlock.bottleneck(in, spec.stageWidth(s), stride, spec.frozenBatchNorm());
                stage.add(addChildBlock("layer" + (s + 1) + "." + b, block));
                in = spec.stageChannels(s);
            }
            stages.add(Collections.unmodifiableList(stage));
        }
        frozenIds = frozenIds();
    }

    /** @return the settings this network was built from */
    public ResNetSpec spec() {
        return spec;
    }

    /** @return channels of the returned levels C3, C4, C5 */
    public int[] featureChannels() {
        return spec.featureChannels();
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> p) {
        NDList x = stemNorm.forward(ps, stemConv.forward(ps, inputs, training), training);
        NDArray y = Pool.maxPool2d(Activation.relu(x.singletonOrThrow()), new Shape(3, 3), new Shape(2, 2),
                new Shape(1, 1), false);
        NDList out = new NDList(3);
        for (int s = 0; s < stages.size(); s++) {
            NDList h = new NDList(y);
            for (ResidualBlock block : stages.get(s)) {
                h = block.forward(ps, h, training);
            }
            y = h.singletonOrThrow();
            if (s > 0) {
                out.add(y); // C3, C4, C5
            }
        }
        return out;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape[] s = stemConv.getOutputShapes(inputShapes);
        s = new Shape[] {pooled(s[0])};
        Shape[] out = new Shape[3];
        for (int i = 0; i < stages.size(); i++) {
            for (ResidualBlock block : stages.get(i)) {
                s = block.getOutputShapes(s);
            }
            if (i > 0) {
                out[i - 1] = s[0];
            }
        }
        return out;
    }

    private static Shape pooled(Shape s) {
        return new Shape(s.get(0), s.get(1), (s.get(2) - 1) / 2 + 1, (s.get(3) - 1) / 2 + 1);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        stemConv.initialize(manager, dataType, inputShapes);
        Shape[] s = stemConv.getOutputShapes(inputShapes);
        stemNorm.initialize(manager, dataType, s);
        s = new Shape[] {pooled(s[0])};
        for (List<ResidualBlock> stage : stages) {
            for (ResidualBlock block : stage) {
                block.initialize(manager, dataType, s);
                s = block.getOutputShapes(s);
            }
        }
    }

    /**
     * @return every parameter (BatchNorm running statistics included) under its torchvision {@code state_dict} name,
     *     e.g. {@code conv1.weight}, {@code bn1.running_mean}, {@code layer1.0.conv1.weight}, {@code
     *     layer2.0.downsample.1.bias}, in network order
     */
    public Map<String, Parameter> torchvisionParameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        out.put("conv1.weight", stemConv.getDirectParameters().get("weight"));
        NormLayers.collect(stemNorm, "bn1", out);
        for (int s = 0; s < stages.size(); s++) {
            for (int b = 0; b < stages.get(s).size(); b++) {
                stages.get(s).get(b).collectTorchvision("layer" + (s + 1) + "." + b, out);
            }
        }
        return out;
    }

    /**
     * @param p any parameter (of this network or of a model that contains it)
     * @return true for this network's BatchNorm statistics and, with frozen BatchNorm, for every buffer of its
     *     {@link FrozenBatchNorm2d}s: parameters that must never be trained (unfreeze a model with {@code
     *     freezeParameters(false, p -> !resnet.isFrozenBuffer(p))})
     */
    public boolean isFrozenBuffer(Parameter p) {
        return frozenIds.contains(p.getId());
    }

    private Set<String> frozenIds() {
        Set<String> ids = new HashSet<>();
        for (Parameter p : torchvisionParameters().values()) {
            Parameter.Type t = p.getType();
            boolean stats = t == Parameter.Type.RUNNING_MEAN || t == Parameter.Type.RUNNING_VAR;
            boolean affine = t == Parameter.Type.GAMMA || t == Parameter.Type.BETA;
            if (stats || spec.frozenBatchNorm() && affine) {
                ids.add(p.getId());
            }
        }
        return ids;
    }
}
