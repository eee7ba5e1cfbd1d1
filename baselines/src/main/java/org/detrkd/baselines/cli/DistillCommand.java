package org.detrkd.baselines.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.detrkd.baselines.MethodRegistry;
import org.detrkd.datasets.eval.EvalResult;
import org.detrkd.datasets.io.InputException;
import org.detrkd.detr.model.Detector;
import org.detrkd.detr.pretrain.BackboneWeights;
import org.detrkd.detr.distill.DistillRun;
import org.detrkd.detr.distill.DistillationMethod;
import org.detrkd.detr.distill.StudentWeights;
import org.detrkd.detr.engine.Devices;
import org.detrkd.detr.engine.EngineThreads;
import org.detrkd.detr.train.DetectorEvaluator;
import org.detrkd.detr.train.DetectorFactory;
import org.detrkd.detr.train.RunReport;
import org.detrkd.detr.train.RunSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code detrkd distill --teacher RUN_DIR --data DIR --out DIR [--method detrdistill] [--preset paper|released-code]
 * [--epochs N | --minutes M] [--seed S] [--min-teacher-ap X] [--baseline RUN_DIR] [--json] [--no-ld] [--no-fd]
 * [--no-ad] [--kd-option NAME=VALUE ...]}: trains the size-{@code student} detector with a distillation method from a
 * trained teacher (its {@code detrkd train} folder, any of conditional-detr, deformable-detr, adamixer; the student is
 * the same detector; the teacher is evaluated on val first and refused below
 * {@code --min-teacher-ap}), evaluates it, and prints its AP beside the teacher's and, with {@code --baseline}, beside
 * a plain student's. The student follows the teacher run's recipe (batch size, learning rate, schedule rule,
 * augmentation) unless overridden; the run folder resumes like {@code detrkd train}'s. {@code --devices N} trains on
 * the first N GPUs (data-parallel for N > 1, one teacher copy per GPU), as {@code detrkd train}.
 */
@Command(name = "distill", mixinStandardHelpOptions = true,
        description = "Distil a trained teacher into the student detector and compare their AP.")
public final class DistillCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--teacher", required = true, paramLabel = "RUN_DIR", description = "the teacher's run folder")
    Path teacher;

    @Option(names = "--data", required = true, paramLabel = "DIR", description = "COCO-format dataset folder")
    Path data;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "run folder of the student")
    Path out;

    @Option(names = "--method", defaultValue = "detrdistill", description = "distillation method (default: "
            + "detrdistill; 'none' is the KD-off control)")
    String method;

    @Option(names = "--preset", paramLabel = "NAME", description = "method preset (detrdistill: paper, "
            + "released-code; default paper)")
    String preset;

    @Option(names = "--epochs", paramLabel = "N")
    Integer epochs;

    @Option(names = "--minutes", paramLabel = "M", description = "time budget in minutes (cumulative over resumes)")
    Double minutes;

    @Option(names = "--seed", defaultValue = "42")
    long seed;

    @Option(names = "--min-teacher-ap", defaultValue = "0.01", paramLabel = "X",
            description = "refuse a teacher whose val AP is below X (default 0.01: catches an untrained teacher)")
    double minTeacherAp;

    @Option(names = "--baseline", paramLabel = "RUN_DIR", description = "a plain student's run folder to compare")
    Path baseline;

    @Option(names = "--json", description = "print one JSON object at the end")
    boolean json;

    @Option(names = "--no-ld", description = "switch off logits distillation (detrdistill)")
    boolean noLd;

    @Option(names = "--no-fd", description = "switch off feature distillation (detrdistill)")
    boolean noFd;

    @Option(names = "--no-ad", description = "switch off assignment distillation (detrdistill)")
    boolean noAd;

    @Option(names = "--kd-option", paramLabel = "NAME=VALUE", description = "a method option, e.g. "
            + "ld-split=threshold, lambda-feat=10 (repeatable)")
    Map<String, String> kdOptions = new LinkedHashMap<>();

    @Option(names = "--batch-size", paramLabel = "B", description = "default: the teacher run's")
    Integer batchSize;

    @Option(names = "--lr", paramLabel = "LR", description = "default: the teacher run's")
    Double lr;

    @Option(names = "--detector", paramLabel = "NAME", description = "the student's detector (default and only "
            + "choice: the teacher's; conditional-detr, deformable-detr or adamixer)")
    String detector;

    @Option(names = "--queries", defaultValue = "0", paramLabel = "Q", description = "student queries (0: preset)")
    int queries;

    @Option(names = "--threads", paramLabel = "N", description = "intra-op threads (default: cores)")
    Integer threads;

    @Option(names = "--devices", paramLabel = "auto|N", defaultValue = Devices.AUTO, description = "GPUs to train "
            + "on: auto (the default: every GPU the engine sees, as many as divide the batch; the CPU when it sees "
            + "none), 0 (the CPU with --threads) or N (the first N GPUs); data-parallel when more than one, one teacher copy per GPU")
    String devices;

    /** The devices resolved from {@code --devices} (set by {@link #resolve}). */
    List<Device> deviceList = List.of(Device.cpu());

    @Option(names = "--backbone-weights", paramLabel = "FILE", description = "start the student from backbone "
            + "weights written by 'detrkd pretrain --size student' (as its plain run did)")
    Path backboneWeights;

    @Option(names = "--stop-after-steps", defaultValue = "0", paramLabel = "N")
    long stopAfterSteps;

    @Option(names = "--log-every", defaultValue = "50", paramLabel = "STEPS")
    int logEvery;

    @Override
    public Integer call() throws Exception {
        RunSpec student = resolve();
        Map<String, String> options = options();
        MethodRegistry.Factory factory;
        try {
            factory = MethodRegistry.factory(method);
        } catch (IllegalArgumentException e) {
            throw new InputException((String) null, "--method", e.getMessage(), null);
        }
        Map<String, Object> description = new LinkedHashMap<>();
        description.put("method", method);
        if (preset == null && method.equals(org.detrkd.detr.detrdistill.DetrDistill.NAME)) {
            preset = org.detrkd.detr.detrdistill.DetrDistillSettings.PRESETS.get(0); // record the default by name
        }
        description.put("preset", preset);
        description.put("options", new TreeMap<>(options));
        Map<String, Object> settings = new LinkedHashMap<>();
        DistillRun run = new DistillRun(student, out, teacher, minTeacherAp, (ctx, manager) -> {
            DistillationMethod m;
            try {
                m = factory.create(ctx, manager, preset, options);
            } catch (IllegalArgumentException e) {
                throw new InputException((String) null, "--preset/--kd-option", e.getMessage(), null);
            }
            settings.putAll(m.settings());
            return m;
        }, description).withLogEvery(logEvery).withStopAfterSteps(stopAfterSteps).withDevices(deviceList);
        DistillRun.Result r = run.run();
        Double baselineAp = baseline == null ? null : baselineAp(student);
        PrintWriter w = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("method", method);
            doc.put("preset", preset);
            doc.put("settings", settings);
            doc.put("teacher_ap", r.teacherAp());
            doc.put("student_ap", r.result().stats()[0]);
            doc.put("baseline_ap", baselineAp);
            doc.put("stats", RunReport.stats(r.result()));
            doc.put("steps", r.steps());
            doc.put("resumed_from_step", r.resumedFromStep());
            doc.put("stop_reason", r.stopReason());
            doc.put("train_seconds", r.trainSeconds());
            doc.put("checkpoint", r.checkpoint().toString());
            doc.put("spec", r.spec());
            doc.put("provenance", r.spec().provenance());
            w.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(doc));
        } else {
            w.print(r.result().summaryText());
            w.printf(Locale.ROOT, "teacher AP %.4f | student (%s%s) AP %.4f%s%n", r.teacherAp(), method,
                    preset == null ? "" : ", " + preset, r.result().stats()[0],
                    baselineAp == null ? "" : String.format(Locale.ROOT, " | plain student AP %.4f", baselineAp));
            w.printf(Locale.ROOT, "%d steps (%s), %.1f min of training; run folder %s%n", r.steps(),
                    r.stopReason(), r.trainSeconds() / 60, out);
        }
        w.flush();
        return 0;
    }

    private Map<String, String> options() {
        Map<String, String> o = new LinkedHashMap<>(kdOptions);
        if (noLd) {
            o.put("ld", "false");
        }
        if (noFd) {
            o.put("fd", "false");
        }
        if (noAd) {
            o.put("ad", "false");
        }
        return o;
    }

    /** The student's spec: the teacher run's recipe with size student and the given overrides. */
    RunSpec resolve() throws IOException {
        if ((epochs == null) == (minutes == null)) {
            throw new InputException((String) null, "--epochs/--minutes", "give exactly one of them", null);
        }
        if (epochs != null && epochs <= 0 || minutes != null && !(minutes > 0)) {
            throw new InputException((String) null, "--epochs/--minutes", "must be positive", null);
        }
        if (!Files.isDirectory(teacher)) {
            throw new InputException(teacher, "", "no such teacher run folder");
        }
        if (!Files.isDirectory(data)) {
            throw new InputException(data, "", "no such dataset folder");
        }
        RunSpec t = RunSpec.read(RunSpec.locate(teacher));
        int n = epochs != null ? epochs : 10_000;
        int drop = epochs != null && epochs >= 3 ? Math.round(epochs * 2f / 3f) : 0;
        int[] drops = drop > 0 && drop < n ? new int[] {drop} : new int[0];
        int b = batchSize != null ? batchSize : t.batchSize();
        if (b <= 0 || lr != null && !(lr > 0) || queries < 0) {
            throw new InputException((String) null, "--batch-size/--lr/--queries", "must be positive", null);
        }
        if (detector != null) {
            DetectorFactory.checkDetector(detector);
            DetectorFactory.checkSameDetector(t.detector(), detector);
        }
        int q = queries > 0 ? queries : DetectorFactory.defaultQueries(t.detector(), "student", t.numClasses());
        int threadCount = threads != null ? threads : EngineThreads.defaultIntraOp();
        EngineThreads.configure(threadCount, 1);
        deviceList = Devices.select(devices, k -> b % k == 0); // after the threads: may start the engine
        if (b % deviceList.size() != 0) {
            throw new InputException((String) null, "--batch-size", "must be a multiple of the " + deviceList.size()
                    + " devices (one equal shard per device), got " + b, null);
        }
        return new RunSpec(t.detector(), "student", t.numClasses(), q, data.toAbsolutePath().normalize().toString(),
                "train", "val", n, minutes == null ? 0 : minutes, b, lr != null ? lr : t.lr(), t.backboneLrFactor(),
                t.weightDecay(), t.clipMaxNorm(), t.warmupSteps(), drops, t.lrDropFactor(), t.augmentation(),
                t.imageSize(), seed, threadCount, 0, 1, 0,
                backboneWeights == null ? null : backboneWeights.toAbsolutePath().normalize().toString(),
                backboneWeights == null ? null : BackboneWeights.sha256(backboneWeights),
                RunReport.provenance(threadCount, deviceList));
    }

    private double baselineAp(RunSpec student) throws IOException {
        RunSpec b = RunSpec.read(RunSpec.locate(baseline));
        DetectorEvaluator evaluator = DetectorEvaluator.forSplit(Path.of(student.data()), "val",
                student.batchSize());
        try (NDManager manager = NDManager.newBaseManager()) {
            Detector model = DetectorFactory.create(b, manager);
            StudentWeights.load(model, DistillRun.latestWeights(baseline));
            EvalResult r = evaluator.evaluate(model, null).result();
            return r.stats()[0];
        }
    }
}
