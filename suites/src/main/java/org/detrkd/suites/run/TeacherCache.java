package org.detrkd.suites.run;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.atomic.AtomicInteger;
import org.detrkd.datasets.djl.CocoDetectionDataset;
import org.detrkd.detr.engine.CheckpointStore;
import org.detrkd.detr.train.DetectionTask;
import org.detrkd.detr.train.DetectorEvaluator;
import org.detrkd.detr.distill.StudentWeights;
import org.detrkd.detr.model.Detector;
import org.detrkd.detr.pretrain.BackboneWeights;
import org.detrkd.suites.spec.Cell.TeacherSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Teachers trained once per resolved spec, in {@code OUT/teachers/<hash>/} with {@code hash =}
 * {@link TeacherSpec#specHash()}: {@code teacher.json} (the spec), {@code checkpoints/} (while training; resumable),
 * {@code final/student.safetensors} (the weights) and {@code outcome.json} (AP, history, timings), written last and
 * atomically: a folder with {@code outcome.json} is a finished teacher that every cell and every later run with the
 * same spec reuses, whatever suite it belongs to. Shards sharing the folder serialise on a lock file per teacher. A
 * teacher given by the scale ({@code teachers:}, {@link TeacherSpec#given()}) is not trained: its checkpoint is
 * evaluated once and its {@code outcome.json} cached the same way. A trained teacher starts from the scale's teacher
 * backbone file when the scale names one.
 */
final class TeacherCache {
    private static final Logger LOG = LoggerFactory.getLogger(TeacherCache.class);
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    static final String OUTCOME = "outcome.json";

    private final Path root;
    private final CellFiles files;
    private final AtomicInteger trainedHere = new AtomicInteger();

    /**
     * @param root the cache folder ({@code OUT/teachers} by default)
     * @param files where backbone files and given teachers are
     */
    TeacherCache(Path root, CellFiles files) {
        this.root = root;
        this.files = files;
    }

    /** The folder of a teacher. */
    Path folder(TeacherSpec t) {
        return root.resolve(t.specHash());
    }

    /** Whether the teacher is finished in the cache. */
    boolean has(TeacherSpec t) {
        return Files.isRegularFile(folder(t).resolve(OUTCOME));
    }

    /** Teachers this runner trained (not found in the cache), for tests and the summary. */
    int trainedHere() {
        return trainedHere.get();
    }

    /**
     * The weights of a finished teacher (a folder for {@code StudentWeights.load}): the given teacher's checkpoint, or
     * the trained one's {@code final/}.
     */
    Path weights(TeacherSpec t) throws IOException {
        return t.given() != null ? files.teacherWeights(t.given()) : folder(t).resolve("final");
    }

    /**
     * The finished teacher, trained now if it is not in the cache.
     *
     * @param t the spec
     * @param data its dataset folder
     * @param ctx run context (progress, threads, stop hook)
     * @return its outcome
     */
    Trained ensure(TeacherSpec t, Path data, RunContext ctx) throws IOException {
        Path dir = folder(t);
        if (has(t)) {
            return read(dir);
        }
        try (FileLocks.Held lock = FileLocks.acquire(root.resolve(t.specHash() + ".lock"))) {
            if (has(t)) {
                return read(dir); // another shard finished it meanwhile
            }
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("teacher.json"), JSON.writeValueAsString(t));
            if (t.given() != null) {
                return evaluateGiven(t, data, dir);
            }
            LOG.info("training teacher {} ({} {}, {} epochs) in {}", t.specHash(), t.model().detector(),
                    t.model().backbone(), t.schedule().epochs(), dir);
            int k = DataSets.numClasses(data);
            Models.block(t.model(), k); // fails the teacher (and its cells) for a model the runner cannot build
            DetectorEvaluator evaluator = DetectorEvaluator.forSplit(data, "val", t.schedule().batch());
            CocoDetectionDataset train = ModelTraining.trainingSet(data, t.schedule().batch(), t.seed());
            Trained done;
            try (NDManager manager = NDManager.newBaseManager(ctx.devices().get(0))) {
                Engine.getInstance().setRandomSeed((int) t.seed()); // the teacher's initialisation: its own seed
                Detector model = Models.create(t.model(), k, manager, t.dataset().imageSize());
                if (t.model().backboneWeights() != null) { // a resumed run restores every weight from its checkpoint
                    BackboneWeights.load(model, files.backboneFile(t.model().backboneWeights()), manager);
                }
                ModelTraining.Outcome o = ModelTraining.train(new ModelTraining.Subject(
                        DetectionTask.withDefaults(model), model, DetectionTask.weights(),
                        (r, device, m) -> DetectionTask.withDefaults(Models.create(t.model(), k, m,
                                t.dataset().imageSize()))), train, evaluator,
                        t.schedule(), t.seed(), ctx.devices(), dir, ctx.progress(), ctx.stopAfterSteps(),
                        "teacher " + t.specHash());
                Path fin = dir.resolve("final");
                Files.createDirectories(fin);
                Path tmp = Files.createTempFile(fin, ".student-", ".tmp");
                try (OutputStream out = Files.newOutputStream(tmp)) {
                    CheckpointStore.saveWeights(model, out);
                }
                Files.move(tmp, fin.resolve("student.safetensors"), StandardCopyOption.REPLACE_EXISTING,
                        StandardCopyOption.ATOMIC_MOVE);
                done = Trained.of(o);
            }
            write(dir.resolve(OUTCOME), done);
            trainedHere.incrementAndGet();
            LOG.info("teacher {} done: AP {}", t.specHash(), String.format(java.util.Locale.ROOT, "%.4f",
                    done.stats()[0]));
            return done;
        }
    }

    /**
     * An existing teacher ({@code teachers:} of the scale): evaluated once on {@code val}, its outcome cached like a
     * trained teacher's (no history, no steps).
     */
    private Trained evaluateGiven(TeacherSpec t, Path data, Path dir) throws IOException {
        int k = DataSets.numClasses(data);
        Path run = files.teacherRun(t.given());
        int runClasses = org.detrkd.detr.train.RunSpec.read(run.resolve(org.detrkd.detr.train.RunSpec.FILE))
                .numClasses();
        if (runClasses != k) {
            throw new CellFailure("teacher " + t.given().source() + " predicts " + runClasses + " classes, the data "
                    + data + " has " + k);
        }
        LOG.info("evaluating the given teacher {} ({} {}) on {}", t.given().source(), t.model().detector(),
                t.model().backbone(), data);
        long start = System.nanoTime();
        Trained done;
        try (NDManager manager = NDManager.newBaseManager()) {
            Detector model = Models.create(t.model(), k, manager, t.dataset().imageSize());
            StudentWeights.load(model, weights(t));
            double[] stats = DetectorEvaluator.forSplit(data, "val", t.schedule().batch()).evaluate(model, null)
                    .result().stats().clone();
            done = new Trained(stats, java.util.List.of(), 0, 0, (System.nanoTime() - start) / 1e9,
                    org.detrkd.detr.engine.MemoryStats.sample().peakRssBytes());
        }
        write(dir.resolve(OUTCOME), done);
        LOG.info("given teacher {}: AP {}", t.given().source(), String.format(java.util.Locale.ROOT, "%.4f",
                done.stats()[0]));
        return done;
    }

    static Trained read(Path dir) throws IOException {
        return JSON.readValue(dir.resolve(OUTCOME).toFile(), Trained.class);
    }

    static void write(Path file, Object value) throws IOException {
        Path tmp = Files.createTempFile(file.getParent(), ".outcome-", ".tmp");
        Files.write(tmp, JSON.writeValueAsBytes(value));
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
