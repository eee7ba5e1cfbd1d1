package org.detrkd.detr.cli;

import ai.djl.Device;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.detrkd.datasets.coco.CocoDataset;
import org.detrkd.datasets.coco.CocoFolder;
import org.detrkd.datasets.coco.CocoImage;
import org.detrkd.datasets.coco.CocoJsonReader;
import org.detrkd.datasets.io.InputException;
import org.detrkd.detr.engine.Devices;
import org.detrkd.detr.engine.EngineThreads;
import org.detrkd.detr.train.DetectorFactory;
import org.detrkd.detr.pretrain.BackboneWeights;
import org.detrkd.detr.train.RunSpec;
import org.detrkd.detr.train.RunReport;
import org.detrkd.detr.train.TrainRun;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code detrkd train --detector conditional-detr --size teacher|student|paper --data DIR (--epochs N | --minutes M)
 * --out DIR}: trains a detector with the engine's manual loop (AdamW at lr 1e-4 with backbone lr x0.1 for the paper
 * size, lr 3e-4 with backbone x1 for the mini sizes as calibrated in docs/calibration.md, weight decay 1e-4,
 * global-norm clipping 0.1, warm-up then step decay; optionally from a backbone pretrained by {@code detrkd pretrain}), checkpoints every epoch atomically, resumes when re-run with the same
 * {@code --out}, evaluates on the validation split every {@code --eval-every} epochs and at the end, and prints
 * pycocotools' summary (or with {@code --json} one object with {@code stats}, the spec and provenance). Trains on the
 * CPU with {@code --threads}, or with {@code --devices N} on the first N GPUs the engine sees (data-parallel for
 * N > 1, {@code DataParallel}; more than the engine sees is refused with exit 2). See {@link TrainRun}.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train a DETR-family detector on a COCO-format folder (resumes from --out).")
public final class TrainCommand implements Callable<Integer> {

    static final int MINUTES_EPOCH_CAP = 10_000;

    @Spec
    CommandSpec spec;

    @Option(names = "--detector", defaultValue = "conditional-detr",
            description = "conditional-detr, deformable-detr or adamixer (default: ${DEFAULT-VALUE})")
    String detector;

    @Option(names = "--size", required = true, description = "teacher, student (mini presets) or paper")
    String size;

    @Option(names = "--data", required = true, paramLabel = "DIR", description = "COCO-format dataset folder")
    Path data;

    @Option(names = "--epochs", paramLabel = "N", description = "number of epochs")
    Integer epochs;

    @Option(names = "--minutes", paramLabel = "M", description = "time budget: stop after the step at which M "
            + "minutes of training have passed (cumulative over resumed runs)")
    Double minutes;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "run folder (spec.json, checkpoints)")
    Path out;

    @Option(names = "--json", description = "print one JSON object at the end")
    boolean json;

    @Option(names = "--batch-size", defaultValue = "16", paramLabel = "B")
    int batchSize;

    /** Default base learning rate of the mini sizes (measured in docs/calibration.md; the paper's is 1e-4). */
    static final double MINI_LR = 3e-4;
    /** Default backbone multiplier of the mini sizes (the paper's is 0.1). */
    static final double MINI_BACKBONE_LR_FACTOR = 1.0;

    @Option(names = "--lr", paramLabel = "LR", description = "base learning rate (default: 3e-4 for teacher and "
            + "student, 1e-4 for paper)")
    Double lr;

    @Option(names = "--backbone-lr-factor", description = "backbone lr multiplier (default: 1 for teacher and "
            + "student, 0.1 for paper)")
    Double backboneLrFactor;

    @Option(names = "--weight-decay", defaultValue = "1e-4")
    double weightDecay;

    @Option(names = "--warmup", defaultValue = "200", paramLabel = "STEPS", description = "linear warm-up steps")
    long warmup;

    @Option(names = "--lr-drop", paramLabel = "E", description = "multiply the lr by 0.1 after E epochs "
            + "(default: 2/3 of --epochs; none with --minutes; 0: never)")
    Integer lrDrop;

    @Option(names = "--queries", defaultValue = "0", paramLabel = "Q", description = "object queries (0: preset)")
    int queries;

    @Option(names = "--augmentation", defaultValue = "flip", description = "flip or none")
    String augmentation;

    @Option(names = "--seed", defaultValue = "42")
    long seed;

    @Option(names = "--threads", paramLabel = "N", description = "intra-op threads (default: cores)")
    Integer threads;

    @Option(names = "--devices", paramLabel = "auto|N", defaultValue = Devices.AUTO, description = "GPUs to train "
            + "on: auto (the default: every GPU the engine sees, as many as divide the batch; the CPU when it sees "
            + "none), 0 (the CPU with --threads) or N (the first N GPUs); data-parallel when more than one")
    String devices;

    /** The devices resolved from {@code --devices} (set by {@link #resolve}). */
    List<Device> deviceList = List.of(Device.cpu());

    @Option(names = "--eval-every", defaultValue = "1", paramLabel = "E",
            description = "evaluate every E epochs (0: only at the end)")
    int evalEvery;

    @Option(names = "--checkpoint-every", defaultValue = "1", paramLabel = "E",
            description = "write a checkpoint every E epochs (and at the end)")
    int checkpointEvery;

    @Option(names = "--stop-after-steps", defaultValue = "0", paramLabel = "N", description = "end this "
            + "invocation after N completed steps of the run (checkpoint, evaluate); re-run to continue")
    long stopAfterSteps;

    @Option(names = "--log-every", defaultValue = "50", paramLabel = "STEPS")
    int logEvery;

    @Option(names = "--feature-level", defaultValue = "0", paramLabel = "L", description = "backbone level "
            + "Conditional DETR reads: 4 (C4, stride 16) or 5 (C5, stride 32); 0: the preset's")
    int featureLevel;

    @Option(names = "--backbone-weights", paramLabel = "FILE", description = "start from backbone weights written "
            + "by 'detrkd pretrain' (safetensors; ignored when resuming)")
    Path backboneWeights;

    @Override
    public Integer call() throws Exception {
        RunSpec runSpec = resolve();
        TrainRun.Result result = new TrainRun(runSpec, out).withLogEvery(logEvery)
                .withStopAfterSteps(stopAfterSteps).withDevices(deviceList).run();
        PrintWriter w = spec.commandLine().getOut();
        if (json) {
            w.println(new ObjectMapper().writerWithDefaultPrettyPrinter()
                    .writeValueAsString(RunReport.train(result, out)));
        } else {
            w.print(result.result().summaryText());
            w.printf(Locale.ROOT, "%d steps (%s), %.1f min of training; run folder %s, checkpoint %s%n",
                    result.steps(), result.stopReason(), result.trainSeconds() / 60, out, result.checkpoint());
        }
        w.flush();
        return 0;
    }

    /** Checks the options and resolves them into a spec (threads are configured here, before the engine starts). */
    RunSpec resolve() throws IOException {
        DetectorFactory.checkDetector(detector);
        DetectorFactory.checkSize(size);
        if (epochs != null && minutes != null) {
            throw new InputException((String) null, "--epochs/--minutes", "give one of them, not both", null);
        }
        if (epochs == null && minutes == null) {
            throw new InputException((String) null, "--epochs/--minutes", "give one of them", null);
        }
        if (epochs != null) {
            positive("--epochs", epochs);
        } else if (!(minutes > 0) || minutes.isInfinite()) {
            throw new InputException((String) null, "--minutes", "must be positive, got " + minutes, null);
        }
        positive("--batch-size", batchSize);
        boolean mini = !DetectorFactory.isPaperSize(size);
        lr = lr != null ? lr : mini ? MINI_LR : 1e-4;
        backboneLrFactor = backboneLrFactor != null ? backboneLrFactor : mini ? MINI_BACKBONE_LR_FACTOR : 0.1;
        positiveReal("--lr", lr);
        positiveReal("--backbone-lr-factor", backboneLrFactor);
        if (!(weightDecay >= 0)) {
            throw new InputException((String) null, "--weight-decay", "must be >= 0, got " + weightDecay, null);
        }
        nonNegative("--warmup", warmup);
        nonNegative("--queries", queries);
        nonNegative("--eval-every", evalEvery);
        positive("--log-every", logEvery);
        positive("--checkpoint-every", checkpointEvery);
        nonNegative("--stop-after-steps", stopAfterSteps);
        if (featureLevel != 0 && featureLevel != 4 && featureLevel != 5) {
            throw new InputException((String) null, "--feature-level", "must be 4, 5 or 0 (preset), got "
                    + featureLevel, null);
        }
        if (backboneWeights != null && !Files.isRegularFile(backboneWeights)) {
            throw new InputException(backboneWeights, "", "no such backbone weights file");
        }
        if (lrDrop != null) {
            nonNegative("--lr-drop", lrDrop);
        }
        if (threads != null) {
            positive("--threads", threads);
        }
        if (!augmentation.equals("flip") && !augmentation.equals("none")) {
            throw new InputException((String) null, "--augmentation",
                    "unknown augmentation '" + augmentation + "'; known: flip, none", null);
        }
        if (!Files.isDirectory(data)) {
            throw new InputException(data, "", "no such dataset folder");
        }
        CocoFolder.Split train = CocoFolder.open(data).split("train");
        CocoFolder.open(data).split("val");
        CocoDataset gt = CocoJsonReader.read(train.annotations());
        if (gt.categories().isEmpty() || gt.images().isEmpty()) {
            throw new InputException(train.annotations(), "", "needs at least one image and one category");
        }
        int imageSize = 0;
        for (CocoImage im : gt.images()) {
            imageSize = Math.max(imageSize, Math.max(im.width(), im.height()));
        }
        int n = epochs != null ? epochs : MINUTES_EPOCH_CAP;
        int drop = lrDrop != null ? lrDrop : (epochs != null && epochs >= 3 ? Math.round(epochs * 2f / 3f) : 0);
        int[] drops = drop > 0 && drop < n ? new int[] {drop} : new int[0];
        int effectiveThreads = configureThreads(threads);
        deviceList = Devices.select(devices, k -> batchSize % k == 0); // after the threads: may start the engine
        if (batchSize % deviceList.size() != 0) {
            throw new InputException((String) null, "--batch-size", "must be a multiple of the " + deviceList.size()
                    + " devices (one equal shard per device), got " + batchSize, null);
        }
        return new RunSpec(detector, size, gt.categories().size(), queriesOrPreset(gt.categories().size()),
                data.toAbsolutePath().normalize().toString(), "train", "val", n, minutes == null ? 0 : minutes,
                batchSize, lr, backboneLrFactor, weightDecay, 0.1, warmup, drops, 0.1, augmentation, imageSize,
                seed, effectiveThreads, evalEvery, checkpointEvery, featureLevel,
                backboneWeights == null ? null : backboneWeights.toAbsolutePath().normalize().toString(),
                backboneWeights == null ? null : BackboneWeights.sha256(backboneWeights),
                RunReport.provenance(effectiveThreads, deviceList));
    }

    /**
     * Sets the engine's intra-op threads before it starts: {@code --threads}, else a value already given with
     * {@code -Dai.djl.pytorch.num_threads} (the launcher's), else the number of cores.
     *
     * @param threads the option's value or null
     * @return the thread count requested
     */
    static int configureThreads(Integer threads) {
        String preset = System.getProperty(EngineThreads.INTRA_OP_PROPERTY);
        int n = threads != null ? threads
                : preset != null && preset.matches("\\d+") && Integer.parseInt(preset) > 0
                        ? Integer.parseInt(preset) : EngineThreads.defaultIntraOp();
        EngineThreads.configure(n, 1);
        return n;
    }

    private int queriesOrPreset(int numClasses) {
        return queries > 0 ? queries : DetectorFactory.defaultQueries(detector, size, numClasses);
    }

    static void positive(String option, long value) {
        if (value <= 0) {
            throw new InputException((String) null, option, "must be positive, got " + value, null);
        }
    }

    static void nonNegative(String option, long value) {
        if (value < 0) {
            throw new InputException((String) null, option, "must be >= 0, got " + value, null);
        }
    }

    static void positiveReal(String option, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new InputException((String) null, option, "must be positive, got " + value, null);
        }
    }
}
