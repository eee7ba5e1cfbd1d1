package org.detrkd.suites.spec;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.detrkd.suites.spec.Cell.ModelSpec;
import org.detrkd.suites.spec.Cell.TeacherSpec;
import org.detrkd.suites.spec.Cell.TrainingSchedule;

/**
 * Rough wall-time estimates of suites, all numbers in this one table. They are ESTIMATES built on measured step
 * times, not measurements of the suites.
 *
 * <p><b>Step times</b> ({@link #MINI_STEP_MS}): one training step of each detector's mini student and mini teacher
 * (the mini presets: Conditional / Deformable DETR 2 encoder + 3 decoder stages, AdaMixer 3 stages; 40 queries; d 128)
 * at batch 16 and 128 px on ONE intra-op thread of this project's 2-core development machine, measured with
 * {@code detrkd bench train-step --detector D --size student|teacher --threads 1} (Conditional DETR: 173 / 252 ms,
 * README "Mini scale"; Deformable DETR about 530 / 620 ms and AdaMixer about 350 / 450 ms, approximate: taken on a
 * machine that also ran other training). Per image: the step over 16. Other sizes scale from there: by pixels over
 * 128 x 128, by the transformer's stage count against the preset's (the transformer taken as a third of a step), and
 * for the paper's ResNets by {@link #RESNET_FACTOR} against the mini student (ResNet-50 from the measured 14.3 s
 * paper-like Conditional DETR step: ResNet-50, batch 2, 800 px, 300 queries, one thread).
 *
 * <p><b>A cell</b> costs {@code epochs x floor(train / batch) x batch x} (its student's per-image time {@code x}
 * {@link #overhead} + a teacher forward, a third of the teacher's per-image training time), plus an evaluation of the
 * validation split after every epoch (a third of the student's per-image training time per image). A teacher given by
 * the scale ({@code teachers:}) costs one evaluation; any other distinct teacher (by {@link TeacherSpec#specHash()})
 * is trained once and counted once.
 *
 * <p><b>The machine</b>: cells run one per core ({@code detrkd run --jobs CORES --threads 1}), so the suite's wall
 * time is the sum over its cells divided by the cores (at most 8 counted): an optimistic, linear assumption.
 */
public final class StepTimes {
    /** Images per step of the measurements. */
    static final int MEASURED_BATCH = 16;
    /**
     * Measured milliseconds per training step (batch 16, 128 px, one thread, mini presets) of each detector's mini
     * student and mini teacher; see the class comment for the source of each number.
     */
    static final Map<String, Map<String, Double>> MINI_STEP_MS = Map.of(
            "conditional-detr", Map.of("mini-student", 173.0, "mini-teacher", 252.0),
            "deformable-detr", Map.of("mini-student", 530.0, "mini-teacher", 620.0),
            "adamixer", Map.of("mini-student", 350.0, "mini-teacher", 450.0));
    /** Transformer stages (encoder + decoder) of each detector's mini preset, at which {@link #MINI_STEP_MS} holds. */
    static final Map<String, Integer> MINI_STAGES = Map.of("conditional-detr", 5, "deformable-detr", 5,
            "adamixer", 3);
    /** The paper's ResNets against the mini student backbone at the same pixels (ResNet-50 from the measured step). */
    static final Map<String, Double> RESNET_FACTOR = Map.of("resnet18", 3.5, "resnet34", 5.0, "resnet50", 8.6,
            "resnet101", 13.0);
    /**
     * A DETRDistill step over the plain student step (teacher forward counted apart), with AD (the teacher's queries as
     * an extra decoder group: 2.5x on AdaMixer, almost all decoder) and without (LD and FD only), from
     * {@code bench distill-step} and the README's per-method timings.
     */
    static final Map<String, Double> DETRDISTILL_WITH_AD = Map.of("conditional-detr", 1.5, "deformable-detr", 1.5,
            "adamixer", 2.5);
    static final double DETRDISTILL_WITHOUT_AD = 1.3;
    /** Other methods over the plain student step (teacher forward counted apart; README, 60-step timings). */
    static final Map<String, Double> METHOD_OVERHEAD = Map.of("none", 1.0, "teacher", 1.0, "fitnet", 1.05,
            "fgd", 1.1, "mgd", 1.15, "fkd", 1.2, "fgfi", 1.1, "clockdistill", 1.5);
    /** At most this many cores are counted. */
    static final int MAX_CORES = 8;

    private StepTimes() {
    }

    /** Seconds per training image of a model at an image size on one thread. */
    static double perImage(ModelSpec m, SuiteSpec.ImageSpec image) {
        double pixels = image.shortSide() * (double) Math.min(image.maxSide(), Math.round(image.shortSide() * 4.0 / 3));
        Map<String, Double> steps = MINI_STEP_MS.get(m.detector());
        double ms = steps.containsKey(m.backbone()) ? steps.get(m.backbone())
                : steps.get("mini-student") * RESNET_FACTOR.get(m.backbone());
        return ms / 1000 / MEASURED_BATCH * pixels / (128.0 * 128.0) * stageFactor(m);
    }

    /** Stages against the mini preset's: the transformer is taken as a third of a step. */
    private static double stageFactor(ModelSpec m) {
        return 2.0 / 3 + (m.encoderStages() + m.decoderStages()) / (double) MINI_STAGES.get(m.detector()) / 3;
    }

    /** A method's step over the plain student's (teacher forward apart). */
    static double overhead(Cell c) {
        if (c.options() instanceof MethodOptions.DetrDistill d) {
            return d.assignment().enabled() ? DETRDISTILL_WITH_AD.get(c.student().detector()) : DETRDISTILL_WITHOUT_AD;
        }
        return METHOD_OVERHEAD.getOrDefault(c.method(), 1.1);
    }

    private static double training(ModelSpec m, TrainingSchedule s, SuiteSpec.DatasetSpec d, double overhead,
            double extraPerImage) {
        long steps = (long) s.epochs() * Math.max(1, d.trainImages() / s.batch());
        return steps * s.batch() * (perImage(m, s.image()) * overhead + extraPerImage) + evaluation(m, s, d) * s.epochs();
    }

    private static double evaluation(ModelSpec m, TrainingSchedule s, SuiteSpec.DatasetSpec d) {
        return d.valImages() * perImage(m, s.image()) / 3;
    }

    /** Estimated seconds of one cell on one thread, excluding its teacher's training. */
    public static double cellSeconds(Cell c) {
        if (c.method().equals("teacher") && c.teacher() != null && c.teacher().given() != null) {
            return evaluation(c.student(), c.schedule(), c.dataset());
        }
        double teacherForward = c.teacher() == null || c.method().equals("teacher") ? 0
                : perImage(c.teacher().model(), c.schedule().image()) / 3;
        return training(c.student(), c.schedule(), c.dataset(), overhead(c), teacherForward);
    }

    /** Estimated seconds of training a teacher on one thread (0 for a teacher the scale gives). */
    public static double teacherSeconds(TeacherSpec t) {
        return t.given() != null ? 0 : training(t.model(), t.schedule(), t.dataset(), 1.0, 0);
    }

    /**
     * Estimated seconds of running all cells on this machine, one cell per core: the cells plus each distinct teacher
     * once (a {@code teacher} cell is that training, so its teacher is not counted twice), over the cores.
     */
    public static double suiteSeconds(List<Cell> cells) {
        double total = 0;
        Set<String> counted = new HashSet<>();
        for (Cell c : cells) {
            total += cellSeconds(c);
            if (c.method().equals("teacher")) {
                counted.add(c.teacherHash());
            }
        }
        for (Map.Entry<String, TeacherSpec> t : SuiteExpander.teachers(cells).entrySet()) {
            if (counted.add(t.getKey())) {
                total += teacherSeconds(t.getValue());
            }
        }
        return total / cores();
    }

    /** Cores of this machine, at most {@link #MAX_CORES}: the cells run side by side. */
    public static int cores() {
        return Math.max(1, Math.min(MAX_CORES, Runtime.getRuntime().availableProcessors()));
    }

    /** {@code 12 s}, {@code 7 min}, {@code 3.4 h}, {@code 41 d}, {@code 15 y}. */
    public static String human(double seconds) {
        if (seconds < 90) {
            return String.format(Locale.ROOT, "%.0f s", seconds);
        }
        if (seconds < 90 * 60) {
            return String.format(Locale.ROOT, "%.0f min", seconds / 60);
        }
        if (seconds < 48 * 3600) {
            return String.format(Locale.ROOT, "%.1f h", seconds / 3600);
        }
        if (seconds < 365 * 86400) {
            return String.format(Locale.ROOT, "%.0f d", seconds / 86400);
        }
        return String.format(Locale.ROOT, "%.0f y", seconds / (365 * 86400));
    }
}
