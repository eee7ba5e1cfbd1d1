package org.detrkd.suites.run;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.detrkd.baselines.MethodRegistry;
import org.detrkd.detr.distill.DistillationContext;
import org.detrkd.detr.distill.DistillationMethod;
import org.detrkd.detr.distill.DistillationTask;
import org.detrkd.detr.distill.StudentWeights;
import org.detrkd.detr.engine.CheckpointStore;
import org.detrkd.detr.model.Detector;
import org.detrkd.detr.pretrain.BackboneWeights;
import org.detrkd.detr.train.DetectionTask;
import org.detrkd.detr.train.DetectorEvaluator;
import org.detrkd.suites.spec.Cell;
import org.detrkd.suites.spec.MethodOptions;

/**
 * Runs one cell: {@code teacher} cells are the cached (or given) teacher itself ({@link TeacherCache}); {@code none}
 * trains the plain student; any other method loads the cached or given teacher, refuses it below the scale's
 * {@code teacher_min_ap} ({@link Cell#requiredTeacherAp()}: 0.01 by default, no gate at smoke scale, where an
 * untrained teacher is expected), builds the method from {@link MethodRegistry} with the cell's preset and options,
 * and trains the student with it ({@link DistillationTask}), in {@code OUT/cells/<runId>/}. A student starts from the
 * scale's backbone file when it names one (as {@code detrkd distill --backbone-weights}). The trained model (a
 * {@code teacher} cell: the teacher) is then analysed ({@link CellAnalysis}: instability, selection masks).
 */
final class CellTrainer {
    /** The teacher gate's threshold outside smoke scale when the scale declares none. */
    static final double MIN_TEACHER_AP = Cell.DEFAULT_MIN_TEACHER_AP;

    private final RunContext ctx;
    private final TeacherCache teachers;
    private final CellFiles files;

    CellTrainer(RunContext ctx, TeacherCache teachers, CellFiles files) {
        this.ctx = ctx;
        this.teachers = teachers;
        this.files = files;
    }

    /** The cell's folder. */
    static Path folder(Path out, Cell c) {
        return out.resolve("cells").resolve(c.runId());
    }

    /**
     * What a cell gave.
     *
     * @param trained its training (a {@code teacher} cell: the teacher's)
     * @param analysis instability and selection masks of the trained model
     */
    record Outcome(Trained trained, CellAnalysis analysis) {}

    /**
     * @return the trained student (or teacher) of the cell and its analysis ({@link CellAnalysis})
     * @throws CellFailure when the cell cannot run or diverges
     */
    Outcome run(Cell c) throws IOException {
        Path data = DataSets.ensure(c.dataset(), ctx.dataRoot(), ctx.threads());
        if (c.method().equals("teacher")) {
            Trained t = teachers.ensure(c.teacher(), DataSets.ensure(c.teacher().dataset(), ctx.dataRoot(),
                    ctx.threads()), ctx);
            return new Outcome(t, analyzeTeacher(c));
        }
        int k = DataSets.numClasses(data);
        Models.block(c.student(), k); // fails the cell before anything trains
        boolean distill = !c.method().equals("none");
        if (distill && !MethodRegistry.names().contains(c.method())) {
            throw new CellFailure("method '" + c.method() + "' not available yet (registered: "
                    + String.join(", ", MethodRegistry.names()) + ")");
        }
        Trained teacherOutcome = null;
        if (distill) {
            if (!c.teacher().model().detector().equals(c.student().detector())) {
                throw new CellFailure("teacher is " + c.teacher().model().detector() + ", student "
                        + c.student().detector() + ": distillation needs the same detector");
            }
            Models.block(c.teacher().model(), k); // fails the cell before training a teacher it cannot use
            teacherOutcome = teachers.ensure(c.teacher(), DataSets.ensure(c.teacher().dataset(), ctx.dataRoot(),
                    ctx.threads()), ctx);
            double ap = teacherOutcome.stats()[0];
            double required = c.requiredTeacherAp();
            if (required >= 0 && !(ap >= required)) {
                String source = c.teacher().given() != null ? c.teacher().given().source()
                        : teachers.folder(c.teacher()).toString();
                throw new CellFailure(String.format(Locale.ROOT, "teacher AP %.4f is below the %.4f the suite "
                        + "declares for it (%s): refusing to distill from %s (wrong checkpoint, or not trained "
                        + "enough?)", ap, required, c.teacherMinAp() != null ? "teacher_min_ap of the "
                        + c.scale().id() + " scale" : "the default minimum", source));
            }
        }
        DetectorEvaluator evaluator = DetectorEvaluator.forSplit(data, "val", c.schedule().batch());
        Device home = ctx.devices().get(0);
        try (NDManager teacherManager = NDManager.newBaseManager(home);
                NDManager manager = NDManager.newBaseManager(home)) {
            ModelTraining.Subject subject;
            Detector student;
            Detector teacher = null;
            DistillationMethod method = null;
            if (distill) {
                teacher = Models.create(c.teacher().model(), k, teacherManager, c.teacher().dataset().imageSize());
                Path teacherWeights = teachers.weights(c.teacher());
                StudentWeights.load(teacher, teacherWeights);
                Engine.getInstance().setRandomSeed((int) c.seed());
                student = Models.create(c.student(), k, manager, c.dataset().imageSize());
                loadBackbone(c, student, manager);
                method = method(c, teacher, student, manager);
                DistillationTask task = new DistillationTask(student, teacher, method);
                // data-parallel replicas: one teacher per device (the primary's on its own device)
                Map<Device, Detector> perDevice = new HashMap<>(Map.of(home, teacher));
                subject = new ModelTraining.Subject(task, student, task.weights(), (r, device, m) -> {
                    Detector t = perDevice.get(device);
                    if (t == null) {
                        t = Models.create(c.teacher().model(), k, m, c.teacher().dataset().imageSize());
                        StudentWeights.load(t, teacherWeights);
                        perDevice.put(device, t);
                    }
                    Detector s = Models.create(c.student(), k, m, c.dataset().imageSize());
                    return new DistillationTask(s, t, method(c, t, s, m));
                });
            } else {
                Engine.getInstance().setRandomSeed((int) c.seed());
                student = Models.create(c.student(), k, manager, c.dataset().imageSize());
                loadBackbone(c, student, manager);
                subject = new ModelTraining.Subject(DetectionTask.withDefaults(student), student,
                        DetectionTask.weights(), (r, device, m) -> DetectionTask.withDefaults(
                                Models.create(c.student(), k, m, c.dataset().imageSize())));
            }
            Trained trained = Trained.of(ModelTraining.train(subject, ModelTraining.trainingSet(data,
                    c.schedule().batch(), c.seed()), evaluator, c.schedule(), c.seed(), ctx.devices(),
                    folder(ctx.out(), c), ctx.progress(), ctx.stopAfterSteps(), c.runId()));
            return new Outcome(trained, CellAnalysis.of(student, teacher, method, data, c.schedule().batch(),
                    folder(ctx.out(), c)));
        }
    }

    /**
     * The analysis of a cell that finished before it was measured (a result written by an older detrkd): the model
     * rebuilt from the cell's spec and its latest checkpoint (a {@code teacher} cell: the cached or given teacher),
     * the teacher and method rebuilt for the selection masks.
     *
     * @return the analysis, {@link CellAnalysis#NONE} when the cell's checkpoint is gone
     */
    CellAnalysis analyzeFinished(Cell c) throws IOException {
        if (c.method().equals("teacher")) {
            return analyzeTeacher(c);
        }
        Path dir = folder(ctx.out(), c).resolve("checkpoints");
        java.util.Optional<Path> latest = Files.isDirectory(dir) ? new CheckpointStore(dir, 0).latest()
                : java.util.Optional.empty();
        if (latest.isEmpty()) {
            return CellAnalysis.NONE;
        }
        Path data = DataSets.ensure(c.dataset(), ctx.dataRoot(), ctx.threads());
        int k = DataSets.numClasses(data);
        Device home = ctx.devices().get(0);
        try (NDManager teacherManager = NDManager.newBaseManager(home);
                NDManager manager = NDManager.newBaseManager(home)) {
            Detector student = Models.create(c.student(), k, manager, c.dataset().imageSize());
            StudentWeights.load(student, latest.get());
            Detector teacher = null;
            DistillationMethod method = null;
            if (!c.method().equals("none")) {
                teacher = Models.create(c.teacher().model(), k, teacherManager, c.teacher().dataset().imageSize());
                StudentWeights.load(teacher, teachers.weights(c.teacher()));
                method = method(c, teacher, student, manager);
            }
            return CellAnalysis.of(student, teacher, method, data, c.schedule().batch(), folder(ctx.out(), c));
        }
    }

    /** A {@code teacher} cell's analysis: the cached (or given) teacher's instability. */
    private CellAnalysis analyzeTeacher(Cell c) throws IOException {
        Path teacherData = DataSets.ensure(c.teacher().dataset(), ctx.dataRoot(), ctx.threads());
        try (NDManager manager = NDManager.newBaseManager(ctx.devices().get(0))) {
            Detector teacher = Models.create(c.teacher().model(), DataSets.numClasses(teacherData), manager,
                    c.teacher().dataset().imageSize());
            StudentWeights.load(teacher, teachers.weights(c.teacher()));
            return CellAnalysis.of(teacher, null, null, teacherData, c.teacher().schedule().batch(),
                    folder(ctx.out(), c));
        }
    }

    /** The cell's distillation method for a teacher/student pair, built on the student's manager. */
    private static DistillationMethod method(Cell c, Detector teacher, Detector student, NDManager manager) {
        try {
            return MethodRegistry.factory(c.method()).create(DistillationContext.of(teacher, student), manager,
                    c.preset(), kdOptions(c.options()));
        } catch (IllegalArgumentException e) {
            throw new CellFailure("method " + c.method() + ": " + e.getMessage());
        }
    }

    /**
     * Loads the scale's pretrained backbone into a fresh student (a resumed cell then restores every weight from its
     * checkpoint, as {@code detrkd distill --backbone-weights} does).
     */
    private void loadBackbone(Cell c, Detector student, NDManager manager) throws IOException {
        if (c.student().backboneWeights() != null) {
            BackboneWeights.load(student, files.backboneFile(c.student().backboneWeights()), manager);
        }
    }

    /**
     * The method options as the registry's factories take them ({@code name=value}). DETRDistill's suite options
     * map onto its option names and vocabulary (components, sub-terms, split and threshold, per-stage or last-stage
     * logits, feature mask and gamma, weights), so the run uses exactly the options its record states; the preset
     * supplies the rest (matching costs, feature level, AD pass); CLoCKDistill's weights scale the method's own
     * ({@code feature_weight} = {@code lambda-memory}, {@code logits_weight} x (2, 5) = the query class and box
     * weights, {@code location_enriched: false} = {@code beta 0}, {@code target_aware_queries} = {@code queries});
     * other methods' fields are
     * passed with {@code _} turned into {@code -} (FKD's {@code use_channel_mask} and {@code non_local_weight} as
     * {@code channel-mask} and {@code nonlocal-weight}).
     */
    static Map<String, String> kdOptions(MethodOptions o) {
        Map<String, String> m = new LinkedHashMap<>();
        if (o instanceof MethodOptions.DetrDistill d) {
            m.put("ld", String.valueOf(d.logits().enabled()));
            m.put("fd", String.valueOf(d.features().enabled()));
            m.put("ad", String.valueOf(d.assignment().enabled()));
            m.put("ld-pos-cls", String.valueOf(d.logits().positiveClass()));
            m.put("ld-pos-box", String.valueOf(d.logits().positiveBox()));
            m.put("ld-neg-box", String.valueOf(d.logits().negativeBox()));
            m.put("lambda-logits", String.valueOf(d.lambdaLogits()));
            m.put("lambda-feat", String.valueOf(d.lambdaFeatures()));
            m.put("lambda-assign", String.valueOf(d.lambdaAssignment()));
            m.put("ld-split", switch (d.logits().split()) {
                case "teacher-assignment" -> "assignment";
                case "score-threshold" -> "threshold";
                default -> d.logits().split();
            });
            m.put("ld-threshold", String.valueOf(d.logits().scoreThreshold()));
            m.put("ld-stages", switch (d.logits().progressive()) {
                case "per-stage" -> "progressive";
                case "last-stage" -> "last";
                default -> d.logits().progressive();
            });
            m.put("fd-mask", switch (d.features().mask()) {
                case "eq6" -> "uniform";
                case "eq8" -> "quality";
                case "released-code" -> "released";
                default -> d.features().mask();
            });
            m.put("fd-gamma", String.valueOf(d.features().gamma()));
            return m;
        }
        if (o instanceof MethodOptions.ClockDistill c) {
            // the suite's weights scale the method's (ours: memory 1, query class 2, query box 5 as the detection
            // terms); location enrichment off = no extra weight inside the boxes (beta 0)
            m.put("lambda-memory", String.valueOf(c.featureWeight()));
            m.put("lambda-query-cls", String.valueOf(2.0 * c.logitsWeight()));
            m.put("lambda-query-box", String.valueOf(5.0 * c.logitsWeight()));
            m.put("queries", String.valueOf(c.targetAwareQueries()));
            if (!c.locationEnriched()) {
                m.put("beta", "0");
            }
            return m;
        }
        Cell.json(o).forEach((k, v) -> m.put(k.replace('_', '-'), String.valueOf(v)));
        if (o instanceof MethodOptions.Fkd) { // two FKD fields are spelt differently by FkdMethod
            m.put("channel-mask", m.remove("use-channel-mask"));
            m.put("nonlocal-weight", m.remove("non-local-weight"));
        }
        return m;
    }
}
