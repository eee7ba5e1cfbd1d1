package org.detrkd.baselines.fitnet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * FitNets hint loss (Romero et al., ICLR 2015) on multi-level feature maps: per level a trainable 1x1 convolution
 * adapts the student map to the teacher's channels and the loss is the mean squared error to the (detached) teacher
 * map,
 * {@code mean((adapt(S) - T)^2)} over {@code [B, Ct, H, W]}; levels are summed into one unweighted term
 * {@link #LOSS}. The weight lives in {@link FitNetSettings}.
 */
public final class FitNet extends AbstractBlock {

    /** Name of the unweighted term. */
    public static final String LOSS = "loss_fitnet";

    private final int[] studentChannels;
    private final int[] teacherChannels;
    private final FitNetSettings settings;
    private final List<FeatureAdapter> adapters = new ArrayList<>();

    private FitNet(Builder b) {
        studentChannels = b.studentChannels;
        teacherChannels = b.teacherChannels;
        settings = b.settings;
        for (int l = 0; l < studentChannels.length; l++) {
            adapters.add(addChildBlock("adapter" + l,
                    FeatureAdapter.conv1x1(studentChannels[l], teacherChannels[l])));
        }
    }

    /** @return a builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the weights the engine applies */
    public FitNetSettings settings() {
        return settings;
    }

    /** @return the adapter of level {@code l} */
    public FeatureAdapter adapter(int l) {
        return adapters.get(l);
    }

    /**
     * @param student per level {@code [B, Cs_l, H_l, W_l]}
     * @param teacher per level {@code [B, Ct_l, H_l, W_l]}; detached here (stopGradient) whatever the caller did
     * @return {@code {loss_fitnet: scalar}}, unweighted
     */
    public LinkedHashMap<String, NDArray> losses(ParameterStore ps, List<NDArray> student, List<NDArray> teacher,
            boolean training) {
        FeatureLevels.check(student, teacher, studentChannels, teacherChannels);
        NDArray total = null;
        for (int l = 0; l < student.size(); l++) {
            NDArray s = adapters.get(l).apply(ps, student.get(l), training); // [B, Ct, H, W]
            NDArray t = teacher.get(l).stopGradient();
            total = FeatureLevels.accumulate(total, s.sub(t).square().mean());
        }
        LinkedHashMap<String, NDArray> out = new LinkedHashMap<>();
        out.put(LOSS, total);
        return out;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> p) {
        throw new UnsupportedOperationException("FitNet is a loss: call losses(ps, student, teacher, training)");
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape()};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        for (FeatureAdapter a : adapters) {
            a.initialize(manager, dataType);
        }
    }

    /** Builder: channel counts per level are required; settings default to {@link FitNetSettings#DEFAULT}. */
    public static final class Builder {
        private int[] studentChannels;
        private int[] teacherChannels;
        private FitNetSettings settings = FitNetSettings.DEFAULT;

        /** @param channels student channels per level */
        public Builder setStudentChannels(int... channels) {
            studentChannels = channels.clone();
            return this;
        }

        /** @param channels teacher channels per level */
        public Builder setTeacherChannels(int... channels) {
            teacherChannels = channels.clone();
            return this;
        }

        /** @param s the weight settings */
        public Builder optSettings(FitNetSettings s) {
            settings = s;
            return this;
        }

        /** @return the block (initialise it with {@code initialize(manager, FLOAT32)}) */
        public FitNet build() {
            if (studentChannels == null || teacherChannels == null || studentChannels.length == 0
                    || studentChannels.length != teacherChannels.length) {
                throw new IllegalArgumentException("set the same number (>= 1) of student and teacher channel counts");
            }
            return new FitNet(this);
        }
    }
}
