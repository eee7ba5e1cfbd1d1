package org.detrkd.baselines.kd;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.detrkd.baselines.fgd.GtBoxes;
import org.detrkd.baselines.fgfi.Fgfi;
import org.detrkd.baselines.fgfi.FgfiSettings;
import org.detrkd.detr.distill.DistillationContext;
import org.detrkd.detr.distill.DistillationInputs;

/**
 * FGFI (Wang et al., CVPR 2019) as a DETR distillation method: {@link Fgfi} on every level of the
 * {@link FeatureSource}, imitation masks from virtual RetinaNet anchors (9 per cell, DETRs have none) at the levels'
 * strides and the ground truth converted by {@link GtPixels}. Term {@code loss_fgfi}, weight 0.01, 400 warm-up steps.
 * Options: {@code source, weight, warmup-steps, threshold-factor, adapter-kernel, adapter-relu}. Preset {@code default}.
 *
 * <p>Warm-up: {@link DistillationInputs} carries no step number, so this method counts its own training calls
 * ({@code losses(..., training = true)}, one per optimisation step) and returns no term during the first
 * {@code warmup-steps} of them. Limitation: the counter starts at 0 in every process, so a resumed run repeats the
 * warm-up (the engine would have to pass the step to remove this).
 */
public final class FgfiMethod extends FeatureKdMethod {

    /** Registry name. */
    public static final String NAME = "fgfi";
    /** Option names. */
    public static final List<String> OPTIONS = List.of("source", "weight", "warmup-steps", "threshold-factor",
            "adapter-kernel", "adapter-relu");

    private final Fgfi block;
    private final int stride0;
    private long trainingCalls;

    private FgfiMethod(DistillationContext context, FeatureSource source, Fgfi block, int stride0, NDManager manager) {
        super(NAME, context, source, new KdAdapters("fgfi", block), manager, block.settings().weightDict(),
                describe(block.settings()));
        this.block = block;
        this.stride0 = stride0;
    }

    /** The registry's factory (preset {@code default} or null; options {@link #OPTIONS}). */
    public static FgfiMethod create(DistillationContext c, NDManager manager, String preset,
            Map<String, String> options) {
        checkPreset("FGFI", preset, "default");
        KdOptions o = new KdOptions("FGFI", options, OPTIONS);
        FeatureSource source = o.source();
        FgfiSettings d = FgfiSettings.DEFAULT;
        FgfiSettings s = new FgfiSettings(o.getDouble("weight", d.weight()), o.getLong("warmup-steps", d.warmupSteps()),
                o.getDouble("threshold-factor", d.thresholdFactor()), d.anchors(),
                (int) o.getLong("adapter-kernel", d.adapterKernel()), o.getBoolean("adapter-relu", d.adapterRelu()));
        Fgfi block = Fgfi.builder().setStudentChannels(source.channels(c.student()))
                .setTeacherChannels(source.channels(c.teacher())).setStrides(source.strides(c.student()))
                .optSettings(s).build();
        return new FgfiMethod(c, source, block, source.strides(c.student())[0], manager);
    }

    /** @return the loss block */
    public Fgfi block() {
        return block;
    }

    /** @return training calls seen so far (the step counter of the warm-up) */
    public long trainingCalls() {
        return trainingCalls;
    }

    @Override
    Map<String, NDArray> terms(ParameterStore ps, List<NDArray> student, List<NDArray> teacher, DistillationInputs in,
            boolean training) {
        if (training) {
            long step = trainingCalls++;
            if (!block.isActive(step)) {
                return Map.of();
            }
        }
        List<GtBoxes> gt = GtPixels.of(in.targets(), studentMasks(in).get(0), stride0);
        return block.losses(ps, student, teacher, gt, training);
    }

    private static Map<String, Object> describe(FgfiSettings s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("weight", s.weight());
        m.put("warmup_steps", s.warmupSteps());
        m.put("threshold_factor", s.thresholdFactor());
        m.put("anchors", s.anchors().toString());
        m.put("adapter_kernel", s.adapterKernel());
        m.put("adapter_relu", s.adapterRelu());
        return m;
    }
}
