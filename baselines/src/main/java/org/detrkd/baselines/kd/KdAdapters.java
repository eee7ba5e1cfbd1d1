package org.detrkd.baselines.kd;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * A container for a method's trainable blocks (the baseline loss block, extra align convolutions): what
 * {@link org.detrkd.detr.distill.DistillationMethod#adapters()} returns, so the engine optimises and checkpoints
 * them with the student. Children must initialise without input shapes (the baseline blocks do).
 */
final class KdAdapters extends AbstractBlock {

    /** @param children name, block pairs, in a fixed order (checkpoint names depend on it) */
    KdAdapters(Object... children) {
        for (int i = 0; i < children.length; i += 2) {
            if (children[i + 1] != null) {
                addChildBlock((String) children[i], (Block) children[i + 1]);
            }
        }
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> p) {
        throw new IllegalStateException("adapters are called by their method");
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[0];
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        for (Block b : getChildren().values()) {
            b.initialize(manager, dataType);
        }
    }
}
