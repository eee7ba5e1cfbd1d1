package org.detrkd.baselines.fgfi;

import org.detrkd.baselines.FeatureLossBlock;
import org.detrkd.detr.util.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;

import org.detrkd.baselines.fgd.GtBoxes;
import org.detrkd.baselines.fitnet.FeatureAdapter;
import org.detrkd.baselines.fitnet.FeatureLevels;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * Fine-grained feature imitation (FGFI; Wang et al., CVPR 2019): per level, the student map is adapted to the
 * teacher's channels ({@code k x k} conv, ReLU as released) and imitates the teacher only inside the
 * {@link ImitationMask} {@code I [B, 1, H, W]}:
 * {@code loss = sum(I * (adapt(S) - T)^2) / (2 N_I)}, {@code N_I} the number of masked locations over the batch
 * (channels not counted), as the released {@code compute_mask_loss}; an empty mask gives 0. Levels are summed (the
 * released code is single-level). The engine should skip the term while {@link #isActive(long)} is false.
 */
public final class Fgfi extends FeatureLossBlock<FgfiSettings> {

    /** Name of the unweighted term. */
    public static final String LOSS = "loss_fgfi";

    private final int[] strides;
    private final List<FeatureAdapter> adapters = new ArrayList<>();

    private Fgfi(Builder b) {
        super(b);
        strides = b.strides;
        for (int l = 0; l < studentChannels.length; l++) {
            adapters.add(addChildBlock("adapter" + l, new FeatureAdapter(studentChannels[l], teacherChannels[l],
                    settings.adapterKernel(), settings.adapterRelu())));
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

    /** @return whether imitation is on at optimisation step {@code step} (0-based): after the warm-up */
    public boolean isActive(long step) {
        return step >= settings.warmupSteps();
    }

    /** @return {@code [B * H * W]} imitation mask of level {@code l} for an {@code H x W} map */
    public float[] mask(int l, List<GtBoxes> targets, int height, int width) {
        return ImitationMask.compute(targets, height, width, strides[l], settings.anchors(),
                settings.thresholdFactor());
    }

    /**
     * @param student per level {@code [B, Cs_l, H_l, W_l]}
     * @param teacher per level {@code [B, Ct_l, H_l, W_l]}; detached here (stopGradient) whatever the caller did
     * @param targets per image, pixel boxes (the image size is not used)
     * @return {@code {loss_fgfi: scalar}}, unweighted, summed over levels
     */
    public LinkedHashMap<String, NDArray> losses(ParameterStore ps, List<NDArray> student, List<NDArray> teacher,
            List<GtBoxes> targets, boolean training) {
        FeatureLevels.check(student, teacher, studentChannels, teacherChannels);
        long b = student.get(0).getShape().get(0);
        if (targets.size() != b) {
            throw new IllegalArgumentException("got " + targets.size() + " targets for a batch of " + b);
        }
        NDArray total = null;
        for (int l = 0; l < student.size(); l++) {
            NDArray t = teacher.get(l).stopGradient();
            int h = (int) t.getShape().get(2);
            int w = (int) t.getShape().get(3);
            float[] mask = mask(l, targets, h, w);
            int count = 0;
            for (float v : mask) {
                count += (int) v;
            }
            NDArray s = adapters.get(l).apply(ps, student.get(l), training);
            NDArray m = s.getManager().create(mask, new Shape(b, 1, h, w));
            NDArray level = Scalars.div(s.sub(t).square().mul(m).sum(), 2.0 * Math.max(count, 1));
            total = FeatureLevels.accumulate(total, level);
        }
        LinkedHashMap<String, NDArray> out = new LinkedHashMap<>();
        out.put(LOSS, total);
        return out;
    }

    @Override
    protected String methodName() {
        return "FGFI";
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        for (FeatureAdapter a : adapters) {
            a.initialize(manager, dataType);
        }
    }

    /** Builder: channels and strides per level are required; settings default to {@link FgfiSettings#DEFAULT}. */
    public static final class Builder extends FeatureLossBlock.Builder<FgfiSettings, Builder> {
        private int[] strides;

        Builder() {
            super(FgfiSettings.DEFAULT);
        }

        @Override
        protected Builder self() {
            return this;
        }

        /** @param s pixels per cell per level (e.g. 8, 16, 32, 64) */
        public Builder setStrides(int... s) {
            strides = s.clone();
            return this;
        }

        /** @return the block (initialise it with {@code initialize(manager, FLOAT32)}) */
        public Fgfi build() {
            if (studentChannels() == null || teacherChannels() == null || strides == null
                    || studentChannels().length == 0 || studentChannels().length != teacherChannels().length
                    || strides.length != studentChannels().length) {
                throw new IllegalArgumentException("set the same number (>= 1) of student channels, teacher channels "
                        + "and strides");
            }
            for (int s : strides) {
                if (s < 1) {
                    throw new IllegalArgumentException("strides must be >= 1, got " + s);
                }
            }
            return new Fgfi(this);
        }
    }
}
