package org.detrkd.baselines.fkd;

import org.detrkd.baselines.FeatureLossBlock;
import org.detrkd.detr.util.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;

import org.detrkd.baselines.fgd.FeatureAttention;
import org.detrkd.baselines.fitnet.FeatureLevels;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * FKD (Zhang and Ma, ICLR 2021), following the released detectors' {@code forward_train} (and MMRazor's
 * {@code FBKDLoss} for the {@code mmrazor} preset). Per level, with student map {@code S [B, Cs, H, W]}, detached
 * teacher map {@code T [B, Ct, H, W]}, attentions of {@link FeatureAttention} and {@code r} the student mask ratio:
 *
 * <pre>
 *   M_s = (S_att(T) + r S_att(S)) / (1 + r)                    [B, 1, H, W]  detached
 *   M_c = (C_att(T) + r C_att(S)) / (1 + r)                    [B, Ct, 1, 1] detached (only with useChannelMask)
 *   feat     = sqrt(sum((T - adapt(S))^2 * M_s [* M_c]))        (dist2 in the reference)
 *   channel  = || mean_HW(T) - Linear(mean_HW(S)) ||_2          (torch.dist over the whole batch)
 *   spatial  = || mean_C(T) - Conv3x3(mean_C(S)) ||_2
 *   nonlocal = || Conv1x1(NL_s(S)) - NL_t(T) ||_2
 * </pre>
 * Note what the released code calls the channel and spatial "attention" losses compares plain (signed) channel and
 * spatial means through learned adapters, not the softmax attentions of the paper's Eq. 6; this class follows the code.
 * Each term is summed over levels, unweighted; weights are in {@link FkdSettings}. The channel mask mixes student and
 * teacher channel attentions, so it needs {@code Cs == Ct} (checked at build time).
 */
public final class Fkd extends FeatureLossBlock<FkdSettings> {

    /** Attention-guided feature loss. */
    public static final String LOSS_FEAT = "loss_fkd_feat";
    /** Channel loss. */
    public static final String LOSS_CHANNEL = "loss_fkd_channel";
    /** Spatial loss. */
    public static final String LOSS_SPATIAL = "loss_fkd_spatial";
    /** Non-local relation loss. */
    public static final String LOSS_NONLOCAL = "loss_fkd_nonlocal";

    private final List<FkdLevel> levels = new ArrayList<>();

    private Fkd(Builder b) {
        super(b);
        for (int l = 0; l < studentChannels.length; l++) {
            levels.add(addChildBlock("level" + l,
                    new FkdLevel(studentChannels[l], teacherChannels[l], settings.nonLocal(l))));
        }
    }

    /** @return a builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the adapters of level {@code l} */
    public FkdLevel level(int l) {
        return levels.get(l);
    }

    /**
     * @param student per level {@code [B, Cs_l, H_l, W_l]}
     * @param teacher per level {@code [B, Ct_l, H_l, W_l]}; detached here (stopGradient) whatever the caller did
     * @return {@link #LOSS_FEAT}, {@link #LOSS_CHANNEL}, {@link #LOSS_SPATIAL}, {@link #LOSS_NONLOCAL}: scalars,
     *     unweighted, summed over levels
     */
    public LinkedHashMap<String, NDArray> losses(ParameterStore ps, List<NDArray> student, List<NDArray> teacher,
            boolean training) {
        FeatureLevels.check(student, teacher, studentChannels, teacherChannels);
        NDArray[] sums = new NDArray[4];
        for (int l = 0; l < student.size(); l++) {
            NDArray[] level = levelLosses(ps, levels.get(l), student.get(l), teacher.get(l), training);
            for (int k = 0; k < 4; k++) {
                sums[k] = FeatureLevels.accumulate(sums[k], level[k]);
            }
        }
        LinkedHashMap<String, NDArray> out = new LinkedHashMap<>();
        out.put(LOSS_FEAT, sums[0]);
        out.put(LOSS_CHANNEL, sums[1]);
        out.put(LOSS_SPATIAL, sums[2]);
        out.put(LOSS_NONLOCAL, sums[3]);
        return out;
    }

    private NDArray[] levelLosses(ParameterStore ps, FkdLevel p, NDArray s, NDArray teacherMap, boolean training) {
        NDArray t = teacherMap.stopGradient();
        long b = t.getShape().get(0);
        long ct = t.getShape().get(1);
        double r = settings.studentMaskRatio();
        NDArray spatialMask = mix(FeatureAttention.spatial(t, settings.spatialTemperature()),
                FeatureAttention.spatial(s, settings.spatialTemperature()), r).expandDims(1); // [B, 1, H, W]
        NDArray sq = p.adaptation().apply(ps, s, training).sub(t).square().mul(spatialMask);
        if (settings.useChannelMask()) {
            NDArray channelMask = mix(FeatureAttention.channel(t, settings.channelTemperature()),
                    FeatureAttention.channel(s, settings.channelTemperature()), r).reshape(b, ct, 1, 1);
            sq = sq.mul(channelMask);
        }
        NDArray feat = sq.sum().sqrt();
        NDArray channelStudent = p.adaptChannels(ps, s.mean(new int[] {2}).mean(new int[] {2}), training); // [B, Ct]
        NDArray channel = dist(channelStudent, t.mean(new int[] {2}).mean(new int[] {2}));
        NDArray spatialStudent = p.spatialAdaptation().apply(ps, s.mean(new int[] {1}, true), training);
        NDArray spatial = dist(spatialStudent, t.mean(new int[] {1}, true));
        NDArray relationStudent = p.nonLocalAdaptation().apply(ps, p.nonLocal(false).apply(ps, s, training), training);
        NDArray nonLocal = dist(relationStudent, p.nonLocal(true).apply(ps, t, training));
        return new NDArray[] {feat, channel, spatial, nonLocal};
    }

    /** @return {@code (teacher + r student) / (1 + r)}, detached */
    private static NDArray mix(NDArray teacher, NDArray student, double r) {
        return Scalars.div(teacher.add(Scalars.mul(student, r)), 1 + r).stopGradient();
    }

    /** @return {@code ||a - b||_2} over all elements ({@code torch.dist}) */
    private static NDArray dist(NDArray a, NDArray b) {
        return a.sub(b).square().sum().sqrt();
    }

    @Override
    protected String methodName() {
        return "FKD";
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        for (FkdLevel level : levels) {
            level.initialize(manager, dataType);
        }
    }

    /** Builder: channel counts per level are required; settings default to {@link FkdSettings#OFFICIAL}. */
    public static final class Builder extends FeatureLossBlock.Builder<FkdSettings, Builder> {
        Builder() {
            super(FkdSettings.OFFICIAL);
        }

        @Override
        protected Builder self() {
            return this;
        }

        /** @return the block (initialise it with {@code initialize(manager, FLOAT32)}) */
        public Fkd build() {
            checkedLevels();
            if (settings().useChannelMask()) {
                for (int l = 0; l < studentChannels().length; l++) {
                    if (studentChannels()[l] != teacherChannels()[l]) {
                        throw new IllegalArgumentException("level " + l + ": the channel mask of preset "
                                + settings().preset() + " mixes student and teacher channel attentions and needs equal "
                                + "channel counts, got " + studentChannels()[l] + " and " + teacherChannels()[l]);
                    }
                }
            }
            return new Fkd(this);
        }
    }
}
