package org.detrkd.detr.pretrain;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

import org.detrkd.detr.backbone.ResNet;
import org.detrkd.detr.backbone.ResNetSpec;

/**
 * A {@link ResNet} with an ImageNet-style classifier: global average pooling of C5 and one linear layer. Used only to
 * pretrain the backbone ({@link BackbonePretrainer}); the head is discarded.
 *
 * <p>Input {@code NDList(crops [B, 3, S, S])}; output {@code NDList(logits [B, classes])}.
 */
public final class CropClassifier extends AbstractBlock {

    private final ResNet backbone;
    private final Linear head;

    /**
     * @param spec the backbone preset
     * @param classes outputs of the head (object classes plus background)
     */
    public CropClassifier(ResNetSpec spec, int classes) {
        backbone = addChildBlock("backbone", new ResNet(spec));
        head = addChildBlock("fc", Linear.builder().setUnits(classes).build());
    }

    /** @return the backbone */
    public ResNet backbone() {
        return backbone;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> p) {
        NDList feats = backbone.forward(ps, in, training);
        NDArray c5 = feats.get(feats.size() - 1); // [B, C, h, w]
        NDArray pooled = c5.mean(new int[] {3}).mean(new int[] {2}); // [B, C]
        return head.forward(ps, new NDList(pooled), training);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] in) {
        Shape[] feats = backbone.getOutputShapes(in);
        Shape c5 = feats[feats.length - 1];
        return head.getOutputShapes(new Shape[] {new Shape(c5.get(0), c5.get(1))});
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        backbone.initialize(manager, dataType, inputShapes[0]);
        Shape[] feats = backbone.getOutputShapes(new Shape[] {inputShapes[0]});
        head.initialize(manager, dataType, new Shape(1, feats[feats.length - 1].get(1)));
    }
}
