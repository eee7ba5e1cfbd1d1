package org.detrkd.cli;

import ai.djl.engine.Engine;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.detrkd.datasets.generate.ShapesSpec;
import org.detrkd.datasets.io.InputException;
import org.detrkd.datasets.io.Provenance;
import org.detrkd.detr.engine.EngineThreads;
import org.detrkd.quickstart.Quickstart;
import org.detrkd.quickstart.ShippedFiles;
import org.detrkd.reports.model.CocoMetrics;
import org.detrkd.reports.model.ResultRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code detrkd quickstart}: the main job on its built-in default (see {@link Quickstart}): the default mini
 * benchmark, the shipped Conditional DETR mini teacher (SHA-256 verified; or {@code --train-teacher}), a plain and a
 * DETRDistill student on the same short schedule, their COCO evaluation, the result records and the report. Prints
 * the report's index page, the three APs with AP50 and the change, and the provenance. Reruns continue.
 */
@Command(name = "quickstart", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Distil the shipped Conditional DETR mini teacher into a student with DETRDistill and compare "
                + "it with the plain student on the default mini benchmark; writes the result records and the report.",
                "With the shipped teacher and the default 4 epochs (1,000 steps) about 8 minutes on an idle 2-core CPU "
                + "(estimated; 6 epochs took 16.5-19.5 minutes on the 2-core machine shared with other jobs); "
                + "--train-teacher first trains the "
                + "teacher, about 75 minutes more. Rerunning with the same options continues where it stopped and "
                + "reuses what is done."})
final class QuickstartCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "runs/quickstart",
            description = "output folder (default: ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0",
            description = "seed of both students (default: ${DEFAULT-VALUE}; the benchmark is always seed 0)")
    long seed;

    @Option(names = "--threads", paramLabel = "N", description = "intra-op threads of this process (default: the "
            + "launcher's DETRKD_THREADS, else all cores); with --jobs 2 each student gets half of them")
    Integer threads;

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "4", description = "the students' schedule "
            + "(default: ${DEFAULT-VALUE} = 1,000 steps, the README's 3-seed comparison; lr x0.1 after 2/3 of it)")
    int epochs;

    @Option(names = "--jobs", paramLabel = "1|2", description = "students trained at once: 2 = two child JVMs with half "
            + "the threads each, 1 = one after the other in this JVM (default: 2 when --threads >= 2, else 1)")
    Integer jobs;

    @Option(names = "--train-teacher", description = "train the teacher here instead of using the shipped one: "
            + "'detrkd pretrain --size teacher', then 'detrkd train --size teacher --minutes 60 --backbone-weights "
            + "...' (about 75 minutes on a 2-core CPU)")
    boolean trainTeacher;

    @Option(names = "--teacher-minutes", paramLabel = "M", defaultValue = "60",
            description = "with --train-teacher: the teacher's training budget (default: ${DEFAULT-VALUE})")
    double teacherMinutes;

    @Option(names = "--pretrain-steps", paramLabel = "N", defaultValue = "2000",
            description = "with --train-teacher: the teacher backbone's pretraining steps (default: ${DEFAULT-VALUE})")
    long pretrainSteps;

    @Option(names = "--shipped", paramLabel = "DIR", description = "take the teacher files from DIR instead of the "
            + "jar (" + ShippedFiles.TEACHER + ", " + ShippedFiles.TEACHER_SPEC + ", " + ShippedFiles.STUDENT_BACKBONE
            + ", " + ShippedFiles.SUMS + ")")
    Path shipped;

    @Option(names = "--min-teacher-ap", paramLabel = "X", defaultValue = "0.01",
            description = "refuse a teacher whose val AP is below X (default: ${DEFAULT-VALUE})")
    double minTeacherAp;

    @Option(names = "--batch-size", paramLabel = "B", description = "the students' batch size (default: the "
            + "teacher run's, 16)")
    Integer batchSize;

    @Option(names = "--train", paramLabel = "N", defaultValue = "" + ShapesSpec.DEFAULT_TRAIN,
            description = "training images of the benchmark (default: ${DEFAULT-VALUE}; other sizes give smoke-scale "
                    + "numbers, for tests)")
    int train;

    @Option(names = "--val", paramLabel = "N", defaultValue = "" + ShapesSpec.DEFAULT_VAL,
            description = "validation images (default: ${DEFAULT-VALUE})")
    int val;

    @Option(names = "--image-size", paramLabel = "PX", defaultValue = "" + ShapesSpec.DEFAULT_IMAGE_SIZE,
            description = "image side (default: ${DEFAULT-VALUE})")
    int imageSize;

    @Option(names = "--log-every", paramLabel = "STEPS", defaultValue = "100",
            description = "training progress line interval (default: ${DEFAULT-VALUE})")
    int logEvery;

    @Override
    public Integer call() throws Exception {
        check();
        int n = configureThreads();
        int j = jobs != null ? jobs : n >= 2 ? 2 : 1;
        ShippedFiles files = shipped != null ? ShippedFiles.fromFolder(shipped) : ShippedFiles.fromClasspath();
        Quickstart.Summary r = new Quickstart(new Quickstart.Settings(out, seed, n, epochs, j, trainTeacher,
                teacherMinutes, pretrainSteps, files, minTeacherAp, batchSize, train, val, imageSize, logEvery)).run();
        print(spec.commandLine().getOut(), r, n);
        return 0;
    }

    private void check() {
        positive("--epochs", epochs);
        positive("--train", train);
        positive("--val", val);
        positive("--log-every", logEvery);
        positive("--pretrain-steps", pretrainSteps);
        if (threads != null) {
            positive("--threads", threads);
        }
        if (batchSize != null) {
            positive("--batch-size", batchSize);
        }
        if (jobs != null && jobs != 1 && jobs != 2) {
            throw new InputException((String) null, "--jobs", "must be 1 or 2, got " + jobs, null);
        }
        if (!(teacherMinutes > 0) || Double.isInfinite(teacherMinutes)) {
            throw new InputException((String) null, "--teacher-minutes", "must be positive, got " + teacherMinutes,
                    null);
        }
        if (!(minTeacherAp >= 0 && minTeacherAp <= 1)) {
            throw new InputException((String) null, "--min-teacher-ap", "must be in [0, 1], got " + minTeacherAp,
                    null);
        }
    }

    private static void positive(String option, long value) {
        if (value <= 0) {
            throw new InputException((String) null, option, "must be positive, got " + value, null);
        }
    }

    /** The engine's intra-op threads, set before it starts: --threads, the launcher's property, or all cores. */
    private int configureThreads() {
        String preset = System.getProperty(EngineThreads.INTRA_OP_PROPERTY);
        int n = threads != null ? threads
                : preset != null && preset.matches("\\d+") && Integer.parseInt(preset) > 0
                        ? Integer.parseInt(preset) : EngineThreads.defaultIntraOp();
        EngineThreads.configure(n, 1);
        return n;
    }

    private void print(PrintWriter w, Quickstart.Summary r, int n) {
        List<ResultRecord> recs = r.records();
        CocoMetrics teacher = recs.get(0).metrics();
        CocoMetrics plain = recs.get(1).metrics();
        CocoMetrics kd = recs.get(2).metrics();
        w.printf(Locale.ROOT, "detrkd quickstart: Conditional DETR mini, teacher -> plain student vs DETRDistill "
                + "student (%d epochs, seed %d)%n", epochs, seed);
        w.println("  NOTE: " + (r.scale().isResult() ? "mini-scale numbers" : "SMOKE-scale numbers (not a result)")
                + ": generated 'shapes' data and minutes of CPU training; they show the pipeline and the method at "
                + "work, not the paper's COCO numbers.");
        w.printf(Locale.ROOT, "  %-28s %7s %7s%n", "val (COCO bbox)", "AP", "AP50");
        row(w, "teacher", teacher, r.reused().get(0));
        row(w, "plain student", plain, r.reused().get(1));
        row(w, "DETRDistill student", kd, r.reused().get(2));
        w.printf(Locale.ROOT, "  %-28s %+7.4f %+7.4f%n", "change (DETRDistill - plain)", kd.ap() - plain.ap(),
                kd.ap50() - plain.ap50());
        w.println("  report: " + r.index());
        w.println("          (results.csv, summary.csv, tables.md beside it; records in " + out.toAbsolutePath()
                .normalize().resolve("results") + ")");
        w.println("  data: " + r.data() + (r.dataReused() ? " (reused)" : " (generated)"));
        w.println("  teacher: " + r.teacherOrigin());
        w.println("  students: " + r.studentMode());
        Engine engine = Engine.getInstance();
        w.printf(Locale.ROOT, "  provenance: commit %s, seed %d, threads %d, detrkd %s, DJL %s, PyTorch %s, Java %s, "
                + "%d cores%n", Provenance.commit(), seed, n, Provenance.version(), Engine.getDjlVersion(),
                engine.getVersion(), System.getProperty("java.version"), Runtime.getRuntime().availableProcessors());
        w.printf(Locale.ROOT, "  time: %.1f min (data %.1f, teacher %.1f, students %.1f, analysis %.1f, report %.1f)%n",
                r.seconds().get("total") / 60, r.seconds().get("data") / 60, r.seconds().get("teacher") / 60,
                r.seconds().get("students") / 60, r.seconds().get("analysis") / 60, r.seconds().get("report") / 60);
        w.flush();
    }

    private static void row(PrintWriter w, String name, CocoMetrics m, boolean reused) {
        w.printf(Locale.ROOT, "  %-28s %7.4f %7.4f%s%n", name, m.ap(), m.ap50(), reused ? "  (from an earlier run)"
                : "");
    }
}
