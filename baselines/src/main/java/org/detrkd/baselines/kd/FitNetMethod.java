package org.detrkd.baselines.kd;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.util.List;
import java.util.Map;
import org.detrkd.baselines.fitnet.FitNet;
import org.detrkd.baselines.fitnet.FitNetSettings;
import org.detrkd.detr.distill.DistillationContext;
import org.detrkd.detr.distill.DistillationInputs;

/**
 * FitNet (Romero et al., ICLR 2015) as a DETR distillation method: per level of the {@link FeatureSource} a 1x1
 * adapter on the student map and MSE to the teacher map ({@link FitNet}); term {@code loss_fitnet}, weight 1.0
 * ({@link FitNetSettings#DEFAULT}, see there why). Options: {@code source}, {@code weight}. Preset: {@code default}.
 */
public final class FitNetMethod extends FeatureKdMethod {

    /** Registry name. */
    public static final String NAME = "fitnet";
    /** Option names. */
    public static final List<String> OPTIONS = List.of("source", "weight");

    private final FitNet block;

    private FitNetMethod(DistillationContext context, FeatureSource source, FitNet block, NDManager manager) {
        super(NAME, context, source, new KdAdapters("fitnet", block), manager, block.settings().weightDict(),
                Map.of("weight", block.settings().weight()));
        this.block = block;
    }

    /** The registry's factory (preset {@code default} or null; options {@link #OPTIONS}). */
    public static FitNetMethod create(DistillationContext c, NDManager manager, String preset,
            Map<String, String> options) {
        checkPreset("FitNet", preset, "default");
        KdOptions o = new KdOptions("FitNet", options, OPTIONS);
        FeatureSource source = o.source();
        FitNetSettings s = new FitNetSettings(o.getDouble("weight", FitNetSettings.DEFAULT.weight()));
        FitNet block = FitNet.builder().setStudentChannels(source.channels(c.student()))
                .setTeacherChannels(source.channels(c.teacher())).optSettings(s).build();
        return new FitNetMethod(c, source, block, manager);
    }

    /** @return the loss block */
    public FitNet block() {
        return block;
    }

    @Override
    Map<String, NDArray> terms(ParameterStore ps, List<NDArray> student, List<NDArray> teacher, DistillationInputs in,
            boolean training) {
        return block.losses(ps, student, teacher, training);
    }
}
