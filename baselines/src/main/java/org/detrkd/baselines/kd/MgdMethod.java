package org.detrkd.baselines.kd;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.detrkd.baselines.mgd.Mgd;
import org.detrkd.baselines.mgd.MgdSettings;
import org.detrkd.detr.distill.DistillationContext;
import org.detrkd.detr.distill.DistillationInputs;

/**
 * MGD (Yang et al., ECCV 2022) as a DETR distillation method: {@link Mgd} on every level of the
 * {@link FeatureSource}, a fresh random spatial mask per level and step (engine random stream, so seeded runs
 * repeat). Term {@code loss_mgd}. Presets: {@code one-stage} (default: alpha 2e-5, mask ratio 0.65) and
 * {@code two-stage} (5e-7, 0.45). Options: {@code source, alpha, mask-ratio}. Outside training (validation losses) no
 * mask is drawn: the term is computed with a mask of ones, so evaluation is deterministic.
 */
public final class MgdMethod extends FeatureKdMethod {

    /** Registry name. */
    public static final String NAME = "mgd";
    /** Option names. */
    public static final List<String> OPTIONS = List.of("source", "alpha", "mask-ratio");

    private final Mgd block;

    private MgdMethod(DistillationContext context, FeatureSource source, Mgd block, String preset, NDManager manager) {
        super(NAME, context, source, new KdAdapters("mgd", block), manager, block.settings().weightDict(),
                describe(preset, block.settings()));
        this.block = block;
    }

    /** The registry's factory (preset {@code one-stage} (null) or {@code two-stage}; options {@link #OPTIONS}). */
    public static MgdMethod create(DistillationContext c, NDManager manager, String preset,
            Map<String, String> options) {
        checkPreset("MGD", preset, "one-stage", "two-stage");
        String p = preset == null ? "one-stage" : preset;
        MgdSettings d = p.equals("two-stage") ? MgdSettings.TWO_STAGE : MgdSettings.DEFAULT;
        KdOptions o = new KdOptions("MGD", options, OPTIONS);
        FeatureSource source = o.source();
        MgdSettings s = new MgdSettings(o.getDouble("alpha", d.alpha()), o.getDouble("mask-ratio", d.maskRatio()));
        Mgd block = Mgd.builder().setStudentChannels(source.channels(c.student()))
                .setTeacherChannels(source.channels(c.teacher())).optSettings(s).build();
        return new MgdMethod(c, source, block, p, manager);
    }

    /** @return the loss block */
    public Mgd block() {
        return block;
    }

    @Override
    Map<String, NDArray> terms(ParameterStore ps, List<NDArray> student, List<NDArray> teacher, DistillationInputs in,
            boolean training) {
        if (training) {
            return block.losses(ps, student, teacher, true);
        }
        List<NDArray> ones = student.stream().map(s -> s.getManager().ones(
                new ai.djl.ndarray.types.Shape(s.getShape().get(0), 1, s.getShape().get(2), s.getShape().get(3))))
                .toList();
        return block.losses(ps, student, teacher, ones, false);
    }

    private static Map<String, Object> describe(String preset, MgdSettings s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("preset", preset);
        m.put("alpha", s.alpha());
        m.put("mask_ratio", s.maskRatio());
        return m;
    }
}
