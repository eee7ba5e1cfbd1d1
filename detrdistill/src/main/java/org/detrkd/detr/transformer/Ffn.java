package org.detrkd.detr.transformer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * The transformer feed-forward sub-layer {@code linear2(dropout(relu(linear1(x))))}: {@code [B, S, d] -> [B, S, d]}
 * through a hidden width {@code dFfn}. Residual and normalisation belong to the enclosing layer.
 */
public final class Ffn extends AbstractBlock {

    private final int dModel;
    private final float dropout;
    private final Linear linear1;
    private final Linear linear2;

    /**
     * @param dModel input and output width
     * @param dFfn hidden width
     * @param dropout dropout rate after the ReLU (training only)
     */
    public Ffn(int dModel, int dFfn, float dropout) {
        this.dModel = dModel;
        this.dropout = dropout;
        linear1 = addChildBlock("linear1", Linear.builder().setUnits(dFfn).build());
        linear2 = addChildBlock("linear2", Linear.builder().setUnits(dModel).build());
    }

    /** @return {@code [.., d]} from {@code x [.., d]} */
    public NDArray apply(ParameterStore ps, NDArray x, boolean training) {
        NDArray h = Activation.relu(Layers.apply(linear1, ps, x, training));
        return Layers.apply(linear2, ps, Layers.dropout(h, dropout, training), training);
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
        linear1.initialize(manager, dataType, new Shape(1, 1, dModel));
        linear2.initialize(manager, dataType, linear1.getOutputShapes(new Shape[] {new Shape(1, 1, dModel)}));
    }
}
