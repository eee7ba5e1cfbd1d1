package org.detrkd.detr.distill;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * The block the engine optimises and checkpoints during distillation when the method has trainable adapters: the
 * student detector (child {@code detector}, first, so its parameters keep their order) and the method's adapters
 * (child {@code kd}). Its forward is the detector's. Both children are initialised before they are bundled.
 * Parameter names carry DJL's child prefixes ({@value #DETECTOR_PREFIX} for the detector);
 * {@link StudentWeights} loads the detector part back into a plain detector.
 */
public final class StudentBundle extends AbstractBlock {

    /** Prefix DJL gives the detector's parameter names inside the bundle. */
    public static final String DETECTOR_PREFIX = "01detector_";

    private final Block detector;

    /**
     * @param detector the initialised student detector
     * @param adapters the initialised adapters
     */
    public StudentBundle(Block detector, Block adapters) {
        this.detector = addChildBlock("detector", detector);
        addChildBlock("kd", adapters);
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> p) {
        return detector.forward(ps, inputs, training);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return detector.getOutputShapes(inputShapes);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        // both children are initialised before bundling
    }
}
