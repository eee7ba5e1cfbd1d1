package org.detrkd.baselines.mgd;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

import org.detrkd.baselines.fitnet.FeatureAdapter;

/**
 * MGD's generation block on {@code [B, C, H, W]}: {@code Conv3x3(pad 1) -> ReLU -> Conv3x3(pad 1)}, C to C channels,
 * with bias (yzd-v/MGD {@code self.generation}); PyTorch's default weight range.
 */
public final class MgdGenerator extends AbstractBlock {

    private final FeatureAdapter first;
    private final FeatureAdapter second;

    /** @param channels C (the teacher's) */
    public MgdGenerator(int channels) {
        first = addChildBlock("conv1", new FeatureAdapter(channels, channels, 3, true));
        second = addChildBlock("conv2", new FeatureAdapter(channels, channels, 3, false));
    }

    /** @return the first (with ReLU, {@code index 0}) or second convolution */
    public FeatureAdapter conv(int index) {
        return index == 0 ? first : second;
    }

    /** @return {@code [B, C, H, W]} generated from {@code x [B, C, H, W]} */
    public NDArray apply(ParameterStore ps, NDArray x, boolean training) {
        return second.apply(ps, first.apply(ps, x, training), training);
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
        first.initialize(manager, dataType);
        second.initialize(manager, dataType);
    }
}
