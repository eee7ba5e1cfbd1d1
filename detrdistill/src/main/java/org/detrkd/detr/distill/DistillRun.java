package org.detrkd.detr.distill;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.detrkd.datasets.djl.CocoDetectionDataset;
import org.detrkd.datasets.djl.DetectionBatchifier;
import org.detrkd.datasets.djl.augment.Augmentation;
import org.detrkd.datasets.djl.augment.HorizontalFlip;
import org.detrkd.datasets.eval.EvalResult;
import org.detrkd.datasets.io.InputException;
import org.detrkd.detr.engine.AdamW;
import org.detrkd.detr.engine.CheckpointStore;
import org.detrkd.detr.engine.DataParallel;
import org.detrkd.detr.engine.DatasetBatchSource;
import org.detrkd.detr.engine.LrSchedule;
import org.detrkd.detr.engine.StepResult;
import org.detrkd.detr.engine.TrainingConfig;
import org.detrkd.detr.engine.TrainingListener;
import org.detrkd.detr.engine.TrainingLoop;
import org.detrkd.detr.model.Detector;
import org.detrkd.detr.train.DetectorEvaluator;
import org.detrkd.detr.train.DetectorFactory;
import org.detrkd.detr.train.RunSpec;
import org.detrkd.detr.train.TrainRun;
import org.detrkd.detr.pretrain.BackboneWeights;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code detrkd distill} run in a folder, in the pattern of {@code TrainRun}: {@code spec.json} (the student's
 * {@link RunSpec}, so {@code detrkd evaluate} and {@code analyze instability} rebuild the student from it),
 * {@code distill.json} (teacher folder, method, preset and every method option), {@code checkpoints/} (student and
 * adapters, resumable) and {@code final-student/student.safetensors} (the detector alone, loadable by
 * {@code detrkd evaluate --checkpoint OUT/final-student}). The teacher is rebuilt from its run folder on every
 * invocation (never saved with the student), checked by the {@link TeacherGate}, then frozen. Evaluation at the end
 * only; with a time budget, training stops after the step at which the budget (cumulative over resumed invocations)
 * is spent. Every file is written under a temporary name and renamed into place, so a process killed at any instant
 * leaves a folder the next invocation resumes.
 */
public final class DistillRun {

    private static final Logger LOG = LoggerFactory.getLogger(DistillRun.class);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final String TRAIN_SECONDS = "train_seconds";
    /** Prefix of the per-epoch mean terms in the checkpoints' metrics ({@code history/epoch_001/loss}). */
    private static final String HISTORY = "history/";
    /** The distillation description inside the run folder. */
    public static final String FILE = "distill.json";
    /** The detector-only export of the final student. */
    public static final String FINAL_STUDENT = "final-student";

    /** Builds the method once the student's manager exists. */
    @FunctionalInterface
    public interface MethodBuilder {
        /**
         * @param context teacher and student settings
         * @param manager the student's manager
         * @return the method
         */
        DistillationMethod build(DistillationContext context, NDManager manager);
    }

    /**
     * @param spec the student's settings
     * @param description {@code distill.json}'s content (teacher, method, preset, options)
     * @param teacherAp the teacher's validation AP
     * @param result the student's final evaluation
     * @param steps completed steps
     * @param resumedFromStep 0 for a fresh run
     * @param trainSeconds cumulative training time
     * @param stopReason {@code epochs}, {@code time} or {@code stop-after-steps}
     * @param checkpoint the final checkpoint folder
     */
    public record Result(RunSpec spec, Map<String, Object> description, double teacherAp, EvalResult result,
            long steps, long resumedFromStep, double trainSeconds, String stopReason, Path checkpoint) {}

    private final RunSpec spec;
    private final Path runDir;
    private final Path teacherDir;
    private final double minTeacherAp;
    private final MethodBuilder methods;
    private final Map<String, Object> description;
    private int logEvery = 50;
    private long stopAfterSteps;
    private List<Device> devices = List.of(Device.cpu());

    /**
     * @param spec the student's settings
     * @param runDir the run folder
     * @param teacherDir the teacher's run folder (its {@code spec.json} and latest checkpoint)
     * @param minTeacherAp the teacher gate's threshold
     * @param methods builds the method
     * @param description what {@code distill.json} records (must identify the method and all its options)
     */
    public DistillRun(RunSpec spec, Path runDir, Path teacherDir, double minTeacherAp, MethodBuilder methods,
            Map<String, Object> description) {
        this.spec = spec;
        this.runDir = runDir;
        this.teacherDir = teacherDir;
        this.minTeacherAp = minTeacherAp;
        this.methods = methods;
        this.description = new LinkedHashMap<>(description);
        this.description.put("teacher", teacherDir.toAbsolutePath().normalize().toString());
        this.description.put("min_teacher_ap", minTeacherAp);
    }

    /** @param steps progress log interval @return this run */
    public DistillRun withLogEvery(int steps) {
        this.logEvery = steps;
        return this;
    }

    /** @param steps end this invocation after this many completed steps (0: no limit) @return this run */
    public DistillRun withStopAfterSteps(long steps) {
        this.stopAfterSteps = steps;
        return this;
    }

    /**
     * The devices to train on ({@code Devices.select}): teacher and student are built on the first; with several,
     * each step is data-parallel ({@link DataParallel}) over one student replica (detector and adapters) per device,
     * with one teacher per device (the primary's on the first, a copy loaded from the teacher's checkpoint on every
     * other device). Not part of the run's identity.
     *
     * @param devices the devices, primary first (default: the CPU)
     * @return this run
     */
    public DistillRun withDevices(List<Device> devices) {
        if (devices.isEmpty()) {
            throw new IllegalArgumentException("no device");
        }
        this.devices = List.copyOf(devices);
        return this;
    }

    /**
     * Loads and gates the teacher, trains (or continues) the student, evaluates and checkpoints.
     *
     * @return the outcome
     * @throws IOException if data or checkpoints cannot be read or written
     * @throws InputException if the folder holds a different run or the teacher is below the required AP
     */
    public Result run() throws IOException {
        checkSameRun();
        RunSpec teacherSpec = RunSpec.read(RunSpec.locate(teacherDir));
        if (!teacherSpec.detector().equals(spec.detector())) {
            throw new InputException(teacherDir, "spec.json", "teacher is " + teacherSpec.detector()
                    + ", the student " + spec.detector() + ": distillation needs the same detector");
        }
        if (teacherSpec.numClasses() != spec.numClasses()) {
            throw new InputException(teacherDir, "spec.json", "teacher predicts " + teacherSpec.numClasses()
                    + " classes, the dataset has " + spec.numClasses());
        }
        DetectorEvaluator evaluator = DetectorEvaluator.forSplit(Path.of(spec.data()), spec.evalSplit(),
                spec.batchSize());
        try (NDManager teacherManager = NDManager.newBaseManager(devices.get(0));
                NDManager manager = NDManager.newBaseManager(devices.get(0))) {
            Detector teacher = DetectorFactory.create(teacherSpec, teacherManager);
            Path teacherWeights = latestWeights(teacherDir);
            StudentWeights.load(teacher, teacherWeights);
            double teacherAp = TeacherGate.check(teacher, evaluator, minTeacherAp, teacherDir).stats()[0];
            description.put("teacher_ap", teacherAp);
            spec.write(runDir);
            replaceAtomically(runDir.resolve(FILE), JSON.writeValueAsBytes(description)); // rewritten on each start

            Engine.getInstance().setRandomSeed((int) spec.seed());
            Detector student = DetectorFactory.create(spec, manager);
            Path ckptDir = runDir.resolve(RunSpec.CHECKPOINTS);
            if (spec.backboneWeights() != null && !TrainRun.hasCheckpoint(ckptDir)) {
                BackboneWeights.load(student, Path.of(spec.backboneWeights()), manager); // fresh run only
            }
            DistillationMethod method = methods.build(DistillationContext.of(teacher, student), manager);
            DistillationTask task = new DistillationTask(student, teacher, method);
            CocoDetectionDataset train = trainingSet();
            long spe = train.size() / spec.batchSize();
            if (spe == 0) {
                throw new InputException(Path.of(spec.data()), spec.trainSplit(), "batch size " + spec.batchSize()
                        + " exceeds the " + train.size() + " training images");
            }
            double priorSeconds = priorSeconds(ckptDir);
            TrainingConfig config = new TrainingConfig(spec.seed(), spec.batchSize(), spec.epochs(),
                    spec.clipMaxNorm(), logEvery, ckptDir, spec.checkpointEvery() == 1,
                    spec.checkpointEvery() > 1 ? (int) (spec.checkpointEvery() * spe) : 0, 2);
            Map<Device, Detector> teachers = new HashMap<>(Map.of(devices.get(0), teacher)); // one per device
            DataParallel parallel = DataParallel.of(devices, (r, device, m) -> {
                Detector t = teachers.get(device);
                if (t == null) {
                    t = DetectorFactory.create(teacherSpec, m);
                    StudentWeights.load(t, teacherWeights);
                    teachers.put(device, t);
                }
                Detector s = DetectorFactory.create(spec, m);
                return new DistillationTask(s, t, methods.build(DistillationContext.of(t, s), m));
            });
            TrainingLoop loop = new TrainingLoop(task,
                    new DatasetBatchSource(train, new DetectionBatchifier(), new DetectionBatchifier()),
                    task.weights(), LrSchedule.epochs(spec.lr(), spec.warmupSteps(), spec.lrDropEpochs(), spe,
                            spec.lrDropFactor()),
                    AdamW.builder().optWeightDecay(spec.weightDecay())
                            .optLrMultiplier(lowLr(student), spec.backboneLrFactor()),
                    config, parallel);
            long resumedAt = loop.step();
            train.setEpoch((int) (resumedAt / spe));
            double[] seconds = {priorSeconds};
            Map<String, Double> history = priorHistory(ckptDir);
            loop.addListener(new TrainingListener() {
                @Override
                public void onStep(StepResult r) {
                    train.setEpoch((int) ((r.step() + 1) / spe));
                    seconds[0] += r.seconds();
                }

                @Override
                public Map<String, Double> onEpochEnd(int epoch, Map<String, Double> meanTerms) {
                    // recorded in the epoch's checkpoint, for resumes: the time so far and every epoch's mean terms
                    String key = String.format(java.util.Locale.ROOT, "%sepoch_%03d/", HISTORY, epoch + 1);
                    meanTerms.forEach((k, v) -> history.put(key + k, v));
                    Map<String, Double> out = new TreeMap<>(history);
                    out.put(TRAIN_SECONDS, seconds[0]);
                    return out;
                }
            });
            String stop = trainLoop(loop, seconds);
            EvalResult result = evaluator.evaluate(student, null).result();
            Map<String, Double> extra = new TreeMap<>();
            extra.put(TRAIN_SECONDS, seconds[0]);
            extra.put("teacher_ap", teacherAp);
            for (int i = 0; i < EvalResult.STAT_NAMES.size(); i++) {
                extra.put("eval/final/" + EvalResult.STAT_NAMES.get(i), result.stats()[i]);
            }
            Path last = loop.saveCheckpoint(extra);
            Path finalDir = runDir.resolve(FINAL_STUDENT);
            Files.createDirectories(finalDir);
            deleteLeftovers(finalDir, ".student-");
            Path tmp = Files.createTempFile(finalDir, ".student-", ".tmp");
            try (OutputStream out = Files.newOutputStream(tmp)) {
                CheckpointStore.saveWeights(student, out);
            }
            Files.move(tmp, finalDir.resolve("student.safetensors"), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
            return new Result(spec, description, teacherAp, result, loop.step(), resumedAt, seconds[0], stop, last);
        }
    }

    /**
     * The parameters trained at the reduced learning rate, by name as the engine sees them (the detector's own names,
     * or with {@link StudentBundle#DETECTOR_PREFIX} inside a bundle): every name containing {@code backbone} (the rule
     * of the Conditional DETR runs, unchanged) and the detector's own low-learning-rate parameters (Deformable DETR's
     * sampling offsets and reference points), so a KD-off run optimises exactly as {@code TrainRun} does.
     */
    public static java.util.function.Predicate<String> lowLr(Detector student) {
        java.util.Set<String> low = student.lowLrParameterNames();
        return name -> name.contains("backbone") || low.contains(name)
                || name.startsWith(StudentBundle.DETECTOR_PREFIX)
                && low.contains(name.substring(StudentBundle.DETECTOR_PREFIX.length()));
    }

    private String trainLoop(TrainingLoop loop, double[] seconds) throws IOException {
        double budget = spec.minutes() * 60;
        while (loop.step() < loop.totalSteps()) {
            if (budget > 0 && seconds[0] >= budget) {
                LOG.info("time budget of {} min spent after {} steps: stopping", spec.minutes(), loop.step());
                return "time";
            }
            if (stopAfterSteps > 0 && loop.step() >= stopAfterSteps) {
                return "stop-after-steps";
            }
            loop.trainStep();
        }
        return "epochs";
    }

    /** The latest checkpoint of a run folder (or the folder itself when it holds weights). */
    public static Path latestWeights(Path dir) throws IOException {
        if (Files.isRegularFile(dir.resolve("student.safetensors"))) {
            return dir;
        }
        Path ckpts = Files.isDirectory(dir.resolve(RunSpec.CHECKPOINTS)) ? dir.resolve(RunSpec.CHECKPOINTS) : dir;
        Optional<Path> latest = Files.isDirectory(ckpts) ? new CheckpointStore(ckpts, 0).latest() : Optional.empty();
        if (latest.isEmpty()) {
            throw new InputException(dir, "", "holds no checkpoint (no step-NNNNNNNNNNNN folder with weights)");
        }
        return latest.get();
    }

    private CocoDetectionDataset trainingSet() {
        Augmentation aug = spec.augmentation().equals("flip") ? new HorizontalFlip(0.5) : Augmentation.NONE;
        return CocoDetectionDataset.builder().setRoot(Path.of(spec.data())).setSplit(spec.trainSplit())
                .setSampling(spec.batchSize(), false).optAugmentation(aug).optSeed(spec.seed())
                .optCacheImages(true).build();
    }

    /**
     * Replaces {@code file} by {@code bytes} through a temporary file and a rename, so that a process killed at any
     * instant leaves the old or the new content, never half of it (a killed run must resume, and
     * {@link #checkSameRun} reads this file first).
     */
    private static void replaceAtomically(Path file, byte[] bytes) throws IOException {
        deleteLeftovers(file.getParent(), "." + file.getFileName() + "-");
        Path tmp = Files.createTempFile(file.getParent(), "." + file.getFileName() + "-", ".tmp");
        try {
            Files.write(tmp, bytes);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Removes the temporary files ({@code PREFIX*.tmp}) a killed invocation left in {@code dir}. */
    private static void deleteLeftovers(Path dir, String prefix) throws IOException {
        try (java.util.stream.Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(p -> p.getFileName().toString().startsWith(prefix)
                    && p.getFileName().toString().endsWith(".tmp")).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private void checkSameRun() throws IOException {
        Path file = runDir.resolve(RunSpec.FILE);
        if (Files.isRegularFile(file)) {
            java.util.List<String> diff = spec.differences(RunSpec.read(file));
            if (!diff.isEmpty()) {
                throw new InputException(file, "", "the folder holds a different run (" + String.join("; ", diff)
                        + "): use another --out or the same settings");
            }
        }
        Path d = runDir.resolve(FILE);
        if (Files.isRegularFile(d)) {
            Map<?, ?> old = JSON.readValue(d.toFile(), Map.class);
            Map<?, ?> now = JSON.readValue(JSON.writeValueAsString(description), Map.class);
            for (Map.Entry<?, ?> e : now.entrySet()) {
                if (!java.util.Objects.equals(e.getValue(), old.get(e.getKey()))) {
                    throw new InputException(d, String.valueOf(e.getKey()), "the folder holds a distillation with "
                            + old.get(e.getKey()) + " instead of " + e.getValue() + ": use another --out");
                }
            }
        }
    }

    /**
     * The mean loss terms of every finished epoch of a distillation run, as its latest checkpoint carries them.
     *
     * @param runDir the run folder
     * @return epoch (1-based) to the epoch's mean of each term ({@code loss} and the weighted terms); empty when the
     *     run has no checkpoint
     * @throws IOException if the checkpoint's state cannot be read
     */
    public static java.util.SortedMap<Integer, Map<String, Double>> epochLosses(Path runDir) throws IOException {
        java.util.SortedMap<Integer, Map<String, Double>> out = new TreeMap<>();
        priorHistory(runDir.resolve(RunSpec.CHECKPOINTS)).forEach((k, v) -> {
            String rest = k.substring((HISTORY + "epoch_").length());
            out.computeIfAbsent(Integer.parseInt(rest.substring(0, 3)), e -> new TreeMap<>()).put(rest.substring(4),
                    v);
        });
        return out;
    }

    private static Map<String, Double> priorHistory(Path ckptDir) throws IOException {
        Map<String, Double> out = new TreeMap<>();
        if (Files.isDirectory(ckptDir)) {
            CheckpointStore store = new CheckpointStore(ckptDir, 0);
            Optional<Path> latest = store.latest();
            if (latest.isPresent()) {
                store.readState(latest.get()).metrics().forEach((k, v) -> {
                    if (k.startsWith(HISTORY + "epoch_")) {
                        out.put(k, v);
                    }
                });
            }
        }
        return out;
    }

    private static double priorSeconds(Path ckptDir) throws IOException {
        if (!Files.isDirectory(ckptDir)) {
            return 0;
        }
        CheckpointStore store = new CheckpointStore(ckptDir, 0);
        Optional<Path> latest = store.latest();
        return latest.isPresent() ? store.readState(latest.get()).metrics().getOrDefault(TRAIN_SECONDS, 0.0) : 0;
    }
}
