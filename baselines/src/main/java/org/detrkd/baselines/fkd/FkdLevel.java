package org.detrkd.baselines.fkd;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.UniformInitializer;
import ai.djl.util.PairList;

import org.detrkd.baselines.fitnet.FeatureAdapter;

/**
 * The trainable parts FKD adds for one feature level (names as the released code): {@code adaptation} (1x1 conv
 * {@code Cs -> Ct} on the student map), {@code channel_wise_adaptation} (linear {@code Cs -> Ct} on the student's
 * global average), {@code spatial_wise_adaptation} (3x3 conv {@code 1 -> 1} on the student's channel mean), the student
 * and teacher {@link NonLocalBlock}s and {@code non_local_adaptation} (1x1 conv {@code Cs -> Ct}).
 */
public final class FkdLevel extends AbstractBlock {

    private final int studentChannels;
    private final FeatureAdapter adaptation;
    private final Linear channelAdaptation;
    private final FeatureAdapter spatialAdaptation;
    private final NonLocalBlock studentNonLocal;
    private final NonLocalBlock teacherNonLocal;
    private final FeatureAdapter nonLocalAdaptation;

    /**
     * @param studentChannels Cs
     * @param teacherChannels Ct
     * @param spec the level's non-local block
     */
    public FkdLevel(int studentChannels, int teacherChannels, NonLocalSpec spec) {
        this.studentChannels = studentChannels;
        adaptation = addChildBlock("adaptation", FeatureAdapter.conv1x1(studentChannels, teacherChannels));
        channelAdaptation = addChildBlock("channel_wise_adaptation",
                Linear.builder().setUnits(teacherChannels).optBias(true).build());
        channelAdaptation.setInitializer(new UniformInitializer((float) (1 / Math.sqrt(studentChannels))),
                Parameter.Type.WEIGHT);
        spatialAdaptation = addChildBlock("spatial_wise_adaptation", new FeatureAdapter(1, 1, 3, false));
        studentNonLocal = addChildBlock("student_non_local", new NonLocalBlock(studentChannels, spec));
        teacherNonLocal = addChildBlock("teacher_non_local", new NonLocalBlock(teacherChannels, spec));
        nonLocalAdaptation = addChildBlock("non_local_adaptation",
                FeatureAdapter.conv1x1(studentChannels, teacherChannels));
    }

    /** @return {@code adapt(S) [B, Ct, H, W]} */
    public FeatureAdapter adaptation() {
        return adaptation;
    }

    /** @return the linear map of the student's global average {@code [B, Cs] -> [B, Ct]} */
    public Linear channelAdaptation() {
        return channelAdaptation;
    }

    /** @return the 3x3 conv on the student's channel mean {@code [B, 1, H, W]} */
    public FeatureAdapter spatialAdaptation() {
        return spatialAdaptation;
    }

    /** @return the non-local block of the student ({@code teacher = false}) or the teacher */
    public NonLocalBlock nonLocal(boolean teacher) {
        return teacher ? teacherNonLocal : studentNonLocal;
    }

    /** @return the 1x1 conv after the student's non-local block */
    public FeatureAdapter nonLocalAdaptation() {
        return nonLocalAdaptation;
    }

    /** @return {@code [B, Ct]} from the student's global average {@code [B, Cs]} */
    public NDArray adaptChannels(ParameterStore ps, NDArray pooled, boolean training) {
        return channelAdaptation.forward(ps, new NDList(pooled), training).singletonOrThrow();
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> p) {
        throw new IllegalStateException("FkdLevel holds FKD's adapters; Fkd.losses uses them");
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape()};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        adaptation.initialize(manager, dataType);
        channelAdaptation.initialize(manager, dataType, new Shape(1, studentChannels));
        spatialAdaptation.initialize(manager, dataType);
        studentNonLocal.initialize(manager, dataType);
        teacherNonLocal.initialize(manager, dataType);
        nonLocalAdaptation.initialize(manager, dataType);
    }
}
