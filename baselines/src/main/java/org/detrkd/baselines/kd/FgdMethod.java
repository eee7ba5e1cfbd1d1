package org.detrkd.baselines.kd;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.detrkd.baselines.fgd.Fgd;
import org.detrkd.baselines.fgd.FgdSettings;
import org.detrkd.baselines.fgd.GtBoxes;
import org.detrkd.detr.distill.DistillationContext;
import org.detrkd.detr.distill.DistillationInputs;

/**
 * FGD (Yang et al., CVPR 2022) as a DETR distillation method: {@link Fgd} on every level of the
 * {@link FeatureSource}, with the ground truth converted to pixel boxes by {@link GtPixels} (from the targets'
 * normalised cxcywh and the level-0 padding mask). Terms {@code loss_fgd_fg, loss_fgd_bg, loss_fgd_mask,
 * loss_fgd_rela} with the official one-stage weights 1e-3, 5e-4, 5e-4, 5e-6 and T 0.5. Options: {@code source,
 * temperature, alpha, beta, gamma, lambda}. Preset: {@code default}.
 */
public final class FgdMethod extends FeatureKdMethod {

    /** Registry name. */
    public static final String NAME = "fgd";
    /** Option names. */
    public static final List<String> OPTIONS = List.of("source", "temperature", "alpha", "beta", "gamma", "lambda");

    private final Fgd block;
    private final int stride0;

    private FgdMethod(DistillationContext context, FeatureSource source, Fgd block, int stride0, NDManager manager) {
        super(NAME, context, source, new KdAdapters("fgd", block), manager, block.settings().weightDict(),
                describe(block.settings()));
        this.block = block;
        this.stride0 = stride0;
    }

    /** The registry's factory (preset {@code default} or null; options {@link #OPTIONS}). */
    public static FgdMethod create(DistillationContext c, NDManager manager, String preset,
            Map<String, String> options) {
        checkPreset("FGD", preset, "default");
        KdOptions o = new KdOptions("FGD", options, OPTIONS);
        FeatureSource source = o.source();
        FgdSettings d = FgdSettings.DEFAULT;
        FgdSettings s = new FgdSettings(o.getDouble("temperature", d.temperature()), o.getDouble("alpha", d.alpha()),
                o.getDouble("beta", d.beta()), o.getDouble("gamma", d.gamma()), o.getDouble("lambda", d.lambda()));
        Fgd block = Fgd.builder().setStudentChannels(source.channels(c.student()))
                .setTeacherChannels(source.channels(c.teacher())).optSettings(s).build();
        return new FgdMethod(c, source, block, source.strides(c.student())[0], manager);
    }

    /** @return the loss block */
    public Fgd block() {
        return block;
    }

    @Override
    Map<String, NDArray> terms(ParameterStore ps, List<NDArray> student, List<NDArray> teacher, DistillationInputs in,
            boolean training) {
        List<GtBoxes> gt = GtPixels.of(in.targets(), studentMasks(in).get(0), stride0);
        return block.losses(ps, student, teacher, gt, training);
    }

    private static Map<String, Object> describe(FgdSettings s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("temperature", s.temperature());
        m.put("alpha", s.alpha());
        m.put("beta", s.beta());
        m.put("gamma", s.gamma());
        m.put("lambda", s.lambda());
        return m;
    }
}
