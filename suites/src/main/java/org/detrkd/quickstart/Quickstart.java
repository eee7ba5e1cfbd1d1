package org.detrkd.quickstart;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.StandardOpenOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.detrkd.datasets.eval.EvalResult;
import org.detrkd.datasets.generate.DatasetMaker;
import org.detrkd.datasets.io.InputException;
import org.detrkd.datasets.generate.Generators;
import org.detrkd.datasets.generate.ShapesSpec;
import org.detrkd.datasets.io.Provenance;
import org.detrkd.detr.detrdistill.DetrDistill;
import org.detrkd.detr.distill.DistillRun;
import org.detrkd.detr.distill.DistillationContext;
import org.detrkd.detr.distill.DistillationMethod;
import org.detrkd.detr.distill.StudentWeights;
import org.detrkd.detr.distill.TeacherGate;
import org.detrkd.detr.engine.MemoryStats;
import org.detrkd.detr.model.Detector;
import org.detrkd.detr.train.DetectorEvaluator;
import org.detrkd.detr.train.DetectorFactory;
import org.detrkd.detr.train.RunSpec;
import org.detrkd.reports.model.Environment;
import org.detrkd.reports.model.EpochRecord;
import org.detrkd.reports.model.ResultRecord;
import org.detrkd.reports.model.Scale;
import org.detrkd.suites.run.CellAnalysis;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The quickstart job: default mini benchmark, the Conditional DETR mini teacher (shipped and checksum-verified, or
 * trained here), a plain and a DETRDistill student on the same short schedule from the same pretrained backbone and
 * seed, COCO evaluation of all three on val, result records and the report. Every part is skipped when it is done
 * (data present, record with the same key, run folders resume), so a rerun after an interruption continues.
 *
 * <p>Folders under {@code OUT}: {@code data/shapes}, {@code teacher/} (the shipped teacher as a run folder) or
 * {@code trained-teacher/}, {@code runs/teacher-<sha>-e<E>-s<S>/{student,detrdistill}} (the two {@code DistillRun}
 * folders, with {@code .log} files when trained in child JVMs), {@code results/<cell>/result.json} and
 * {@code report/} ({@code index.html}, {@code results.csv}, {@code summary.csv}, {@code tables.md}).
 */
public final class Quickstart {
    private static final Logger LOG = LoggerFactory.getLogger(Quickstart.class);
    /** Pretraining steps of the student backbone when none is shipped (as the shipped one was made). */
    static final long STUDENT_PRETRAIN_STEPS = 3000;

    /**
     * @param out the output folder
     * @param seed the students' seed
     * @param threads intra-op threads of this JVM
     * @param epochs the students' schedule
     * @param jobs students trained at once (2: two child JVMs with half the threads each; 1: one after the other
     *     here)
     * @param trainTeacher train the teacher here instead of using the shipped one
     * @param teacherMinutes the trained teacher's budget
     * @param pretrainSteps the trained teacher's backbone pretraining steps
     * @param shipped the teacher files, from the jar or a folder
     * @param minTeacherAp the teacher gate
     * @param batchSize the students' batch size, null for the teacher run's
     * @param train training images of the benchmark
     * @param val validation images of the benchmark
     * @param imageSize image side of the benchmark
     * @param logEvery progress interval in steps
     */
    public record Settings(Path out, long seed, int threads, int epochs, int jobs, boolean trainTeacher,
            double teacherMinutes, long pretrainSteps, ShippedFiles shipped, double minTeacherAp, Integer batchSize,
            int train, int val, int imageSize, int logEvery) {}

    /**
     * What a run produced.
     *
     * @param data the dataset folder
     * @param dataReused whether it was there already
     * @param teacherDir the teacher's run folder
     * @param teacherOrigin where the teacher came from
     * @param records teacher, plain student, DETRDistill student
     * @param reused for each record, whether it was reused from an earlier invocation
     * @param index the report's {@code index.html}
     * @param scale {@code mini}, or {@code smoke} on a non-default benchmark
     * @param studentMode how the students trained
     * @param seconds wall time per phase ({@code data}, {@code teacher}, {@code students}, {@code report},
     *     {@code total})
     */
    public record Summary(Path data, boolean dataReused, Path teacherDir, String teacherOrigin,
            List<ResultRecord> records, List<Boolean> reused, Path index, Scale scale, String studentMode,
            Map<String, Double> seconds) {}

    private final Settings s;
    private final Path out;
    private final Path results;
    private final Map<String, Double> seconds = new LinkedHashMap<>();
    private Path data;
    private Scale scale;
    private String group;
    private Path teacherDir;
    private String teacherSha;
    private String teacherOrigin;
    private Path backbone;
    private String backboneSha;

    /** @param settings the settings */
    public Quickstart(Settings settings) {
        this.s = settings;
        this.out = settings.out().toAbsolutePath().normalize();
        this.results = out.resolve("results");
    }

    /**
     * Runs (or continues) the job, holding {@code OUT/.quickstart.lock} so that two invocations never train into the
     * same folders (the lock dies with the process; the students' child JVMs neither hold it nor outlive this
     * process for long, see {@link StudentRuns}).
     *
     * @throws InputException when another quickstart holds the folder, or on bad input
     */
    public Summary run() throws IOException {
        Files.createDirectories(out);
        Path lockFile = out.resolve(".quickstart.lock");
        try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                throw new InputException(out, "", "another detrkd quickstart is running in this folder (it holds "
                        + lockFile.getFileName() + "): wait for it to end or use another --out");
            }
            try {
                return runLocked();
            } finally {
                lock.release();
            }
        }
    }

    private Summary runLocked() throws IOException {
        long t0 = System.nanoTime();
        // the shipped files are verified first: a corrupt teacher is refused before anything else runs
        ShippedFiles.Materialized shippedTeacher = s.trainTeacher() ? null : s.shipped().materialize(out);
        data = out.resolve("data").resolve("shapes");
        LOG.info("step 1/4: default mini benchmark 'shapes' in {}", data);
        ShapesSpec shapes = ShapesSpec.DEFAULTS.withSizes(s.train(), s.val()).withImageSize(s.imageSize()).validate();
        DatasetMaker.Result made = DatasetMaker.make(Generators.create("shapes", shapes, null), data, s.threads());
        boolean standard = s.train() == ShapesSpec.DEFAULT_TRAIN && s.val() == ShapesSpec.DEFAULT_VAL
                && s.imageSize() == ShapesSpec.DEFAULT_IMAGE_SIZE;
        scale = standard ? Scale.MINI : Scale.SMOKE;
        group = "Conditional DETR mini, students " + s.epochs() + " epochs";
        long t = lap("data", t0);

        // --threads holds even when something in this JVM started the engine with another count before
        Engine.getInstance();
        JniUtils.setNumThreads(s.threads());
        LOG.info("step 2/4: the teacher ({})", s.trainTeacher() ? "trained here" : s.shipped().origin());
        teacher(shippedTeacher);
        String teacherKey = "teacher sha256 " + teacherSha + "\ndata " + data + "\ngroup " + group + "\n";
        ResultRecord teacher = QuickstartReport.reusable(results, QuickstartReport.TEACHER, teacherKey);
        boolean teacherReused = teacher != null;
        StudentPlan plan = plan();
        if (teacher == null && !plan.children()) {
            teacher = evaluateTeacher(teacherKey, s.threads());
        }
        t = lap("teacher", t);

        LOG.info("step 3/4: plain and DETRDistill students, {} epochs, seed {}", s.epochs(), s.seed());
        ResultRecord[] teacherBox = {teacher};
        // beside a training child, only the threads the finished one freed: OpenMP threads on an oversubscribed
        // core slow down many times over
        String mode = students(plan, teacher != null ? null : () -> {
            JniUtils.setNumThreads(childThreads());
            teacherBox[0] = evaluateTeacher(teacherKey, childThreads());
        }, teacherBox);
        t = lap("students", t);
        analyse(plan, teacherBox, teacherKey);
        t = lap("analysis", t);

        LOG.info("step 4/4: report");
        Path index = QuickstartReport.render(results, out.resolve("report"));
        lap("report", t);
        seconds.put("total", (System.nanoTime() - t0) / 1e9);
        List<ResultRecord> records = new ArrayList<>(List.of(teacherBox[0]));
        records.addAll(List.of(plan.done()));
        List<Boolean> reused = new ArrayList<>(List.of(teacherReused));
        for (int i = 0; i < plan.done().length; i++) {
            reused.add(!plan.pending().contains(i));
        }
        Summary summary = new Summary(data, made.alreadyPresent(), teacherDir, teacherOrigin, records, reused, index,
                scale, mode, seconds);
        writeSummary(summary);
        return summary;
    }

    /** Installs the shipped teacher or trains one; sets the teacher and backbone fields. */
    private void teacher(ShippedFiles.Materialized shippedTeacher) throws IOException {
        if (s.trainTeacher()) {
            Path dir = out.resolve("trained-teacher");
            teacherDir = TeacherTraining.run(data, dir, s.teacherMinutes(), s.pretrainSteps(), s.threads(),
                    s.logEvery());
            backbone = s.shipped().available() ? s.shipped().materialize(out).studentBackbone()
                    : TeacherTraining.pretrain("student", data, dir, STUDENT_PRETRAIN_STEPS, s.threads());
            teacherOrigin = "trained here (" + teacherDir + ")";
        } else {
            teacherDir = shippedTeacher.teacherDir();
            backbone = shippedTeacher.studentBackbone();
            teacherOrigin = "Conditional DETR mini teacher " + s.shipped().origin() + ", SHA-256 "
                    + shippedTeacher.teacherSha256().substring(0, 12) + "... verified";
        }
        teacherSha = ShippedFiles.sha256(DistillRun.latestWeights(teacherDir).resolve("student.safetensors"));
        backboneSha = ShippedFiles.sha256(backbone);
    }

    /**
     * The students still to train.
     *
     * @param cells plain, DETRDistill
     * @param keys what decides each one's numbers
     * @param done the records (reused ones filled in)
     * @param pending indices of the cells to train
     * @param children whether they train in child JVMs
     * @param runs the folder of their run folders
     */
    private record StudentPlan(List<QuickstartReport.Cell> cells, String[] keys, ResultRecord[] done,
            List<Integer> pending, boolean children, Path runs) {}

    private StudentPlan plan() throws IOException {
        List<QuickstartReport.Cell> cells = List.of(QuickstartReport.STUDENT, QuickstartReport.DETRDISTILL);
        ResultRecord[] done = new ResultRecord[cells.size()];
        List<Integer> pending = new ArrayList<>();
        String[] keys = new String[cells.size()];
        for (int i = 0; i < cells.size(); i++) {
            QuickstartReport.Cell c = cells.get(i);
            keys[i] = String.format(Locale.ROOT, "method %s preset %s\nepochs %d seed %d batch %s\nteacher sha256 %s"
                    + "\nbackbone sha256 %s\ndata %s\ngroup %s\n", c.method(), c.preset(), s.epochs(), s.seed(),
                    s.batchSize(), teacherSha, backboneSha, data, group);
            done[i] = QuickstartReport.reusable(results, c, keys[i]);
            if (done[i] == null) {
                pending.add(i);
            }
        }
        Path runs = out.resolve("runs").resolve(String.format(Locale.ROOT, "teacher-%s-e%d-s%d",
                teacherSha.substring(0, 12), s.epochs(), s.seed()));
        return new StudentPlan(cells, keys, done, pending, s.jobs() >= 2 && pending.size() >= 2, runs);
    }

    /**
     * Trains the pending students and writes their records. In child JVMs, {@code teacherTask} (the teacher's
     * evaluation, when it is still to do) runs here as soon as the first student ends, on the core it freed.
     */
    private String students(StudentPlan plan, StudentRuns.Task teacherTask, ResultRecord[] teacher)
            throws IOException {
        int threads = plan.children() ? childThreads() : s.threads();
        List<StudentRuns.Job> jobs = new ArrayList<>();
        for (int i : plan.pending()) {
            QuickstartReport.Cell c = plan.cells().get(i);
            Path dir = plan.runs().resolve(c.cellId());
            jobs.add(new StudentRuns.Job(c.cellId(), dir, distillArgs(c, dir, threads)));
        }
        long start = System.nanoTime();
        List<StudentRuns.Outcome> outcomes = jobs.isEmpty() ? List.of() : plan.children()
                ? StudentRuns.inChildren(jobs, childHeapMb(), threads, teacherTask) : StudentRuns.inProcess(jobs);
        if (teacher[0] == null) {
            teacherTask.run(); // every student was reused
        }
        Map<String, Object> teacherRef = new LinkedHashMap<>();
        teacherRef.put("checkpoint", DistillRun.latestWeights(teacherDir).resolve("student.safetensors").toString());
        teacherRef.put("sha256", teacherSha);
        teacherRef.put("origin", teacherOrigin);
        teacherRef.put("AP", teacher[0].metrics().ap());
        Environment env = environment(threads);
        for (int k = 0; k < plan.pending().size(); k++) {
            int i = plan.pending().get(k);
            StudentRuns.Outcome o = outcomes.get(k);
            QuickstartReport.Cell c = plan.cells().get(i);
            @SuppressWarnings("unchecked")
            Map<String, Object> spec = new ObjectMapper().readValue(
                    plan.runs().resolve(c.cellId()).resolve(RunSpec.FILE).toFile(), Map.class);
            plan.done()[i] = QuickstartReport.record(c, scale, group, new LinkedHashMap<>(o.settings()), s.epochs(),
                    teacherRef, spec, s.seed(), history(plan.runs().resolve(c.cellId()), o.stats()[0]), o.stats(),
                    o.wallSeconds(),
                    o.trainSeconds() > 0 ? o.steps() / o.trainSeconds() : 0,
                    plan.children() ? 0 : MemoryStats.sample().peakRssBytes(), env);
            QuickstartReport.write(results, plan.done()[i], plan.keys()[i]);
        }
        if (jobs.isEmpty()) {
            return "both reused from an earlier run";
        }
        double minutes = (System.nanoTime() - start) / 6e10;
        return plan.children()
                ? String.format(Locale.ROOT, "%d child JVMs side by side (%d thread%s each), %.1f min", jobs.size(),
                        threads, threads == 1 ? "" : "s", minutes)
                : String.format(Locale.ROOT, "%d in this JVM one after the other (%d threads), %.1f min",
                        jobs.size(), s.threads(), minutes);
    }

    /**
     * Adds to each record that lacks it the model's instability per decoder stage transition on val and, for the
     * DETRDistill student, the teacher's selection masks over the first val images ({@link CellAnalysis}), for the
     * report's cell pages; the models come from the teacher's and the students' run folders.
     */
    private void analyse(StudentPlan plan, ResultRecord[] teacher, String teacherKey) throws IOException {
        boolean missing = teacher[0].instability() == null;
        for (ResultRecord r : plan.done()) {
            missing |= r.instability() == null;
        }
        if (!missing) {
            return;
        }
        LOG.info("instability of the three models and DETRDistill's selection masks, for the report");
        RunSpec ts = RunSpec.read(RunSpec.locate(teacherDir));
        try (NDManager teacherManager = NDManager.newBaseManager()) {
            Detector t = DetectorFactory.create(ts, teacherManager);
            StudentWeights.load(t, DistillRun.latestWeights(teacherDir));
            if (teacher[0].instability() == null) {
                teacher[0] = CellAnalysis.of(t, null, null, data, ts.batchSize(),
                        results.resolve(teacher[0].cellId())).applyTo(teacher[0]);
                QuickstartReport.write(results, teacher[0], teacherKey);
            }
            for (int i = 0; i < plan.cells().size(); i++) {
                ResultRecord r = plan.done()[i];
                QuickstartReport.Cell c = plan.cells().get(i);
                Path run = plan.runs().resolve(c.cellId());
                if (r.instability() != null || !Files.isDirectory(run)) {
                    continue;
                }
                RunSpec ss = RunSpec.read(RunSpec.locate(run));
                try (NDManager m = NDManager.newBaseManager()) {
                    Detector student = DetectorFactory.create(ss, m);
                    StudentWeights.load(student, DistillRun.latestWeights(run));
                    DistillationMethod method = c.method().equals(DetrDistill.NAME)
                            ? DetrDistill.create(DistillationContext.of(t, student), m, c.preset(), Map.of()) : null;
                    plan.done()[i] = CellAnalysis.of(student, method == null ? null : t, method, data,
                            ss.batchSize(), results.resolve(r.cellId())).applyTo(r);
                    QuickstartReport.write(results, plan.done()[i], plan.keys()[i]);
                }
            }
        }
    }

    /** A student's per-epoch mean loss terms from its run folder, with the final AP on the last epoch. */
    private static List<EpochRecord> history(Path run, double finalAp) throws IOException {
        java.util.SortedMap<Integer, Map<String, Double>> losses = DistillRun.epochLosses(run);
        List<EpochRecord> out = new ArrayList<>();
        losses.forEach((e, terms) -> out.add(new EpochRecord(e, e.equals(losses.lastKey()) ? finalAp : null, terms)));
        return out;
    }

    private List<String> distillArgs(QuickstartReport.Cell c, Path dir, int threads) {
        List<String> a = new ArrayList<>(List.of("--teacher", teacherDir.toString(), "--data", data.toString(),
                "--out", dir.toString(), "--method", c.method().equals("student") ? "none" : c.method()));
        if (c.preset() != null) {
            a.addAll(List.of("--preset", c.preset()));
        }
        a.addAll(List.of("--epochs", Integer.toString(s.epochs()), "--seed", Long.toString(s.seed()), "--threads",
                Integer.toString(threads), "--backbone-weights", backbone.toString(), "--min-teacher-ap",
                Double.toString(s.minTeacherAp()), "--log-every", Integer.toString(s.logEvery()), "--json"));
        if (s.batchSize() != null) {
            a.addAll(List.of("--batch-size", Integer.toString(s.batchSize())));
        }
        return a;
    }

    /** Evaluates the teacher on val, writes its record and applies the teacher gate. */
    private ResultRecord evaluateTeacher(String key, int threads) throws IOException {
        long start = System.nanoTime();
        RunSpec ts = RunSpec.read(RunSpec.locate(teacherDir));
        EvalResult r;
        try (NDManager manager = NDManager.newBaseManager()) {
            Detector model = DetectorFactory.create(ts, manager);
            StudentWeights.load(model, DistillRun.latestWeights(teacherDir));
            r = DetectorEvaluator.forSplit(data, "val", ts.batchSize()).evaluate(model, null).result();
        }
        LOG.info(String.format(Locale.ROOT, "teacher AP %.4f AP50 %.4f on %s val", r.stats()[0], r.stats()[1], data));
        TeacherGate.requireAtLeast(r.stats()[0], s.minTeacherAp(), teacherDir);
        @SuppressWarnings("unchecked")
        Map<String, Object> spec = new ObjectMapper().readValue(RunSpec.locate(teacherDir).toFile(), Map.class);
        spec.put("weights_sha256", teacherSha);
        ResultRecord rec = QuickstartReport.record(QuickstartReport.TEACHER, scale, group, Map.of(), s.epochs(), null,
                spec, ts.seed(), List.of(), r.stats(), (System.nanoTime() - start) / 1e9, 0, MemoryStats.sample().peakRssBytes(),
                environment(threads));
        QuickstartReport.write(results, rec, key);
        return rec;
    }

    /** @param threads intra-op threads of the run @return this machine's environment */
    public static Environment environment(int threads) {
        return Environment.ofThisJvm(Provenance.commit(), Provenance.version(), Engine.getDjlVersion(),
                Engine.getInstance().getVersion(), List.of("cpu()"), threads);
    }

    /** @return intra-op threads of each child JVM: half of this process's, at least one */
    private int childThreads() {
        return Math.max(1, s.threads() / 2);
    }

    private static long childHeapMb() {
        long half = Runtime.getRuntime().maxMemory() / (2L * 1024 * 1024);
        return Math.max(1024, Math.min(4096, half));
    }

    private long lap(String phase, long since) {
        long now = System.nanoTime();
        seconds.put(phase, (now - since) / 1e9);
        return now;
    }

    private void writeSummary(Summary summary) throws IOException {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("job", "quickstart");
        doc.put("scale", summary.scale().id());
        doc.put("note", "mini-scale numbers: generated data, minutes of CPU training; not the paper's COCO numbers");
        doc.put("data", summary.data().toString());
        doc.put("teacher", summary.teacherOrigin());
        for (ResultRecord r : summary.records()) {
            doc.put(r.cellId(), Map.of("AP", r.metrics().ap(), "AP50", r.metrics().ap50()));
        }
        doc.put("report", summary.index().toString());
        doc.put("students", summary.studentMode());
        doc.put("seed", s.seed());
        doc.put("epochs", s.epochs());
        doc.put("seconds", summary.seconds());
        doc.put("provenance", Provenance.basic());
        Path tmp = out.resolve(".quickstart.json.tmp");
        new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), doc);
        Files.move(tmp, out.resolve("quickstart.json"), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
