package org.detrkd.suites.spec;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.detrkd.suites.spec.Cell.ModelSpec;
import org.detrkd.suites.spec.Cell.TeacherSpec;
import org.detrkd.suites.spec.Cell.TrainingSchedule;

/**
 * Rough wall-time estimates of suites, all numbers in this one table. They are ESTIMATES, not measurements: a
 * training step is taken to cost, per image, {@code DETECTOR_SECONDS x BACKBONE_FACTOR x pixels / 128^2} seconds on
 * the reference machine (2 CPU cores, about 125 GFLOP/s; the detrkd development machine), scaled by
 * {@code 2 / min(cores, 8)} for the current machine (an optimistic, linear assumption). The per-detector seconds come
 * from the order of magnitude of a small DETR step measured during development (djl-notes: 238k parameters, batch 8,
 * 64x64, 70-90 ms on one thread) and should be replaced by {@code detrkd bench train-step} medians as they exist.
 *
 * <p>A cell costs {@code epochs x ceil(train / batch) x batch x per-image seconds x method overhead} plus one
 * evaluation of the validation split (a third of a training step per image). A distillation step adds a teacher
 * forward (a third of the teacher's training step). Each distinct teacher (by {@link TeacherSpec#specHash()}) is
 * trained once and counted once.
 */
public final class StepTimes {
    /** Seconds per training image of a mini-student-sized model at 128x128, per detector (estimate). */
    static final Map<String, Double> DETECTOR_SECONDS =
            Map.of("conditional-detr", 0.040, "deformable-detr", 0.060, "adamixer", 0.050);
    /** Backbone cost relative to {@code mini-student} at the same pixels (estimate). */
    static final Map<String, Double> BACKBONE_FACTOR = Map.of("mini-student", 1.0, "mini-teacher", 2.5,
            "resnet18", 4.0, "resnet34", 6.0, "resnet50", 8.0, "resnet101", 12.0);
    /** Extra student-side work of a method, as a multiplier of the student step (estimate). */
    static final Map<String, Double> METHOD_OVERHEAD = Map.of("none", 1.0, "teacher", 1.0, "detrdistill", 1.5,
            "fitnet", 1.1, "fgd", 1.15, "mgd", 1.1, "fkd", 1.2, "fgfi", 1.1, "clockdistill", 1.4);
    /** Cores of the reference machine. */
    static final int REFERENCE_CORES = 2;

    private StepTimes() {
    }

    /** Seconds per training image of a model at an image size on the reference machine. */
    static double perImage(ModelSpec m, SuiteSpec.ImageSpec image) {
        double pixels = image.shortSide() * (double) Math.min(image.maxSide(), Math.round(image.shortSide() * 4.0 / 3));
        return DETECTOR_SECONDS.get(m.detector()) * BACKBONE_FACTOR.get(m.backbone()) * pixels / (128.0 * 128.0)
                * stageFactor(m);
    }

    /** Fewer transformer stages cost less: the transformer is taken as a third of a step at 6/6. */
    private static double stageFactor(ModelSpec m) {
        return 2.0 / 3 + (m.encoderStages() + m.decoderStages()) / 12.0 / 3;
    }

    private static double training(ModelSpec m, TrainingSchedule s, SuiteSpec.DatasetSpec d, double overhead,
            double extraPerImage) {
        long steps = (long) s.epochs() * ((d.trainImages() + s.batch() - 1) / s.batch());
        double train = steps * s.batch() * (perImage(m, s.image()) * overhead + extraPerImage);
        double eval = d.valImages() * perImage(m, s.image()) / 3;
        return train + eval;
    }

    /** Estimated seconds of one cell on the reference machine, excluding its teacher's training. */
    public static double cellSeconds(Cell c) {
        double teacherForward = c.teacher() == null || c.method().equals("teacher") ? 0
                : perImage(c.teacher().model(), c.schedule().image()) / 3;
        return training(c.student(), c.schedule(), c.dataset(), METHOD_OVERHEAD.get(c.method()), teacherForward);
    }

    /** Estimated seconds of training a teacher on the reference machine. */
    public static double teacherSeconds(TeacherSpec t) {
        return training(t.model(), t.schedule(), t.dataset(), 1.0, 0);
    }

    /**
     * Estimated seconds of running all cells on this machine: the cells plus each distinct teacher once (a
     * {@code teacher} cell is that training, so its teacher is not counted twice).
     */
    public static double suiteSeconds(List<Cell> cells) {
        double total = 0;
        java.util.Set<String> trained = new java.util.HashSet<>();
        for (Cell c : cells) {
            if (c.method().equals("teacher")) {
                trained.add(c.teacherHash());
            }
        }
        for (Cell c : cells) {
            total += cellSeconds(c);
        }
        for (Map.Entry<String, TeacherSpec> t : SuiteExpander.teachers(cells).entrySet()) {
            if (!trained.contains(t.getKey())) {
                total += teacherSeconds(t.getValue());
            }
        }
        return total * machineFactor();
    }

    /** Reference cores over this machine's cores (at most 8 counted). */
    public static double machineFactor() {
        int cores = Math.max(1, Math.min(8, Runtime.getRuntime().availableProcessors()));
        return REFERENCE_CORES / (double) cores;
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
