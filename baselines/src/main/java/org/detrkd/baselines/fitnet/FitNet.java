package org.detrkd.baselines.fitnet;

import org.detrkd.baselines.FeatureLossBlock;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;

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
public final class FitNet extends FeatureLossBlock<FitNetSettings> {

    /** Name of the unweighted term. */
    public static final String LOSS = "loss_fitnet";

    private final List<FeatureAdapter> adapters = new ArrayList<>();

    private FitNet(Builder b) {
        super(b);
        for (int l = 0; l < studentChannels.length; l++) {
            adapters.add(addChildBlock("adapter" + l,
                    FeatureAdapter.conv1x1(studentChannels[l], teacherChannels[l])));
        }
    }

    /** @return a builder */
    public static Builder builder() {
        return new Builder();
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
    protected String methodName() {
        return "FitNet";
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        for (FeatureAdapter a : adapters) {
            a.initialize(manager, dataType);
        }
    }

    /** Builder: channel counts per level are required; settings default to {@link FitNetSettings#DEFAULT}. */
    public static final class Builder extends FeatureLossBlock.Builder<FitNetSettings, Builder> {
        Builder() {
            super(FitNetSettings.DEFAULT);
        }

        @Override
        protected Builder self() {
            return this;
        }

        /** @return the block (initialise it with {@code initialize(manager, FLOAT32)}) */
        public FitNet build() {
            checkedLevels();
            return new FitNet(this);
        }
    }
}
