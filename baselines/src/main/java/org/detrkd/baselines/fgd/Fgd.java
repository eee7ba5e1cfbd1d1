package org.detrkd.baselines.fgd;

import org.detrkd.baselines.FeatureLossBlock;
import org.detrkd.detr.util.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;

import org.detrkd.baselines.fitnet.FeatureAdapter;
import org.detrkd.baselines.fitnet.FeatureLevels;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * Focal and Global Distillation (FGD; Yang et al., CVPR 2022), port of yzd-v/FGD {@code FeatureLoss} (c03a6cf) applied
 * per feature level. With {@code S} the (aligned) student map and {@code T} the teacher map, both {@code [N, C, H, W]},
 * teacher attentions {@code S_t [N, 1, H, W]}, {@code C_t [N, C, 1, 1]} ({@link FeatureAttention}) and the masks of
 * {@link FgdMasks}:
 *
 * <pre>
 *   fg   = sum((S - T)^2 * S_t * C_t * Mask_fg) / N          bg likewise with Mask_bg
 *   mask = sum|C_s - C_t| / N + sum|S_s - S_t| / N             (student attentions from the aligned student)
 *   rela = sum((GcBlock_s(S) - GcBlock_t(T))^2) / N
 * </pre>
 * Each term is summed over levels and returned unweighted; {@link FgdSettings} holds alpha, beta, gamma, lambda. The
 * trainable parts per level are the 1x1 align convolution (only when the channel counts differ) and the two
 * {@link GcBlock}s (the teacher's GcBlock is trained too, as in the reference; only the teacher features are frozen).
 */
public final class Fgd extends FeatureLossBlock<FgdSettings> {

    /** Unweighted foreground term. */
    public static final String LOSS_FG = "loss_fgd_fg";
    /** Unweighted background term. */
    public static final String LOSS_BG = "loss_fgd_bg";
    /** Unweighted attention-mask term. */
    public static final String LOSS_MASK = "loss_fgd_mask";
    /** Unweighted global relation term. */
    public static final String LOSS_RELA = "loss_fgd_rela";

    private final List<FeatureAdapter> aligns = new ArrayList<>();
    private final List<GcBlock> studentGc = new ArrayList<>();
    private final List<GcBlock> teacherGc = new ArrayList<>();

    private Fgd(Builder b) {
        super(b);
        for (int l = 0; l < studentChannels.length; l++) {
            int ct = teacherChannels[l];
            aligns.add(studentChannels[l] == ct ? null
                    : addChildBlock("align" + l, FeatureAdapter.conv1x1(studentChannels[l], ct)));
            studentGc.add(addChildBlock("gc_student" + l, new GcBlock(ct)));
            teacherGc.add(addChildBlock("gc_teacher" + l, new GcBlock(ct)));
        }
    }

    /** @return a builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the align convolution of level {@code l}, or null when student and teacher channels agree */
    public FeatureAdapter align(int l) {
        return aligns.get(l);
    }

    /** @return the GcBlock applied to the student ({@code teacher = false}) or teacher map of level {@code l} */
    public GcBlock gcBlock(int l, boolean teacher) {
        return teacher ? teacherGc.get(l) : studentGc.get(l);
    }

    /**
     * @param student per level {@code [N, Cs_l, H_l, W_l]}
     * @param teacher per level {@code [N, Ct_l, H_l, W_l]}; detached here (stopGradient) whatever the caller did
     * @param targets per image, pixel boxes and image size (N entries)
     * @return {@link #LOSS_FG}, {@link #LOSS_BG}, {@link #LOSS_MASK}, {@link #LOSS_RELA}: scalars, unweighted, summed
     *     over levels
     */
    public LinkedHashMap<String, NDArray> losses(ParameterStore ps, List<NDArray> student, List<NDArray> teacher,
            List<GtBoxes> targets, boolean training) {
        FeatureLevels.check(student, teacher, studentChannels, teacherChannels);
        if (targets.size() != student.get(0).getShape().get(0)) {
            throw new IllegalArgumentException("got " + targets.size() + " targets for a batch of "
                    + student.get(0).getShape().get(0));
        }
        NDArray[] sums = new NDArray[4];
        for (int l = 0; l < student.size(); l++) {
            NDArray[] level = levelLosses(ps, l, student.get(l), teacher.get(l), targets, training);
            for (int k = 0; k < 4; k++) {
                sums[k] = FeatureLevels.accumulate(sums[k], level[k]);
            }
        }
        LinkedHashMap<String, NDArray> out = new LinkedHashMap<>();
        out.put(LOSS_FG, sums[0]);
        out.put(LOSS_BG, sums[1]);
        out.put(LOSS_MASK, sums[2]);
        out.put(LOSS_RELA, sums[3]);
        return out;
    }

    /** @return {fg, bg, mask, rela} of one level */
    private NDArray[] levelLosses(ParameterStore ps, int l, NDArray studentMap, NDArray teacherMap,
            List<GtBoxes> targets, boolean training) {
        NDArray t = teacherMap.stopGradient(); // [N, C, H, W]
        NDArray s = aligns.get(l) == null ? studentMap : aligns.get(l).apply(ps, studentMap, training);
        long n = s.getShape().get(0);
        long c = s.getShape().get(1);
        double temp = settings.temperature();
        NDArray spatialT = FeatureAttention.spatial(t, temp); // [N, H, W]
        NDArray channelT = FeatureAttention.channel(t, temp); // [N, C]
        NDArray spatialS = FeatureAttention.spatial(s, temp);
        NDArray channelS = FeatureAttention.channel(s, temp);
        FgdMasks masks = FgdMasks.compute(targets, (int) s.getShape().get(2), (int) s.getShape().get(3));
        NDArray weighted = s.sub(t).square().mul(spatialT.expandDims(1)).mul(channelT.reshape(n, c, 1, 1));
        NDArray fg = Scalars.div(weighted.mul(masks.foreground(s.getManager())).sum(), n);
        NDArray bg = Scalars.div(weighted.mul(masks.background(s.getManager())).sum(), n);
        NDArray mask = Scalars.div(channelS.sub(channelT).abs().sum(), n)
                .add(Scalars.div(spatialS.sub(spatialT).abs().sum(), n));
        NDArray rela = Scalars.div(studentGc.get(l).apply(ps, s, training)
                .sub(teacherGc.get(l).apply(ps, t, training)).square().sum(), n);
        return new NDArray[] {fg, bg, mask, rela};
    }

    @Override
    protected String methodName() {
        return "FGD";
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        for (int l = 0; l < studentChannels.length; l++) {
            if (aligns.get(l) != null) {
                aligns.get(l).initialize(manager, dataType);
            }
            studentGc.get(l).initialize(manager, dataType);
            teacherGc.get(l).initialize(manager, dataType);
        }
    }

    /** Builder: channel counts per level are required; settings default to {@link FgdSettings#DEFAULT}. */
    public static final class Builder extends FeatureLossBlock.Builder<FgdSettings, Builder> {
        Builder() {
            super(FgdSettings.DEFAULT);
        }

        @Override
        protected Builder self() {
            return this;
        }

        /** @return the block (initialise it with {@code initialize(manager, FLOAT32)}) */
        public Fgd build() {
            checkedLevels();
            return new Fgd(this);
        }
    }
}
