package org.detrkd.detr.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;

import org.detrkd.datasets.djl.CocoDetectionDataset;
import org.detrkd.datasets.djl.DetectionBatchifier;
import org.detrkd.datasets.djl.augment.Augmentation;
import org.detrkd.datasets.djl.augment.HorizontalFlip;
import org.detrkd.datasets.eval.EvalResult;
import org.detrkd.datasets.io.InputException;
import org.detrkd.detr.engine.AdamW;
import org.detrkd.detr.engine.CheckpointState;
import org.detrkd.detr.engine.CheckpointStore;
import org.detrkd.detr.engine.DataParallel;
import org.detrkd.detr.engine.DatasetBatchSource;
import org.detrkd.detr.engine.Devices;
import org.detrkd.detr.engine.LrSchedule;
import org.detrkd.detr.engine.StepResult;
import org.detrkd.detr.engine.TrainingConfig;
import org.detrkd.detr.engine.TrainingListener;
import org.detrkd.detr.engine.TrainingLoop;
import org.detrkd.detr.model.Detector;
import org.detrkd.detr.pretrain.BackboneWeights;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One {@code detrkd train} run in a folder: {@code spec.json} ({@link RunSpec}) and {@code checkpoints/}. Builds the
 * training split (flip augmentation, decoded images cached), the detector ({@link DetectorFactory}), the
 * {@link DetectionTask}, AdamW (backbone at {@code backboneLrFactor} x lr), the warm-up + step {@link LrSchedule} and
 * the {@link TrainingLoop}; resumes from the latest checkpoint when the folder already holds the same run; trains
 * until the last epoch or, with a time budget, until the end of the step at which the budget (cumulative over
 * resumed invocations) is spent; evaluates every {@code evalEvery} epochs and at the end; and writes a final
 * checkpoint whose metrics carry the final and per-epoch AP.
 */
public final class TrainRun {

    private static final Logger LOG = LoggerFactory.getLogger(TrainRun.class);

    /**
     * What a run produced.
     *
     * @param spec the settings
     * @param result the final evaluation
     * @param steps completed optimizer steps
     * @param stepsPerEpoch steps per epoch
     * @param resumedFromStep the step the run resumed at (0 for a fresh run)
     * @param trainSeconds cumulative training wall time (resumed invocations included)
     * @param stopReason {@code epochs} or {@code time}
     * @param metrics the final checkpoint's metrics
     * @param checkpoint the final checkpoint folder
     * @param devices the devices this invocation trained on, primary first
     */
    public record Result(RunSpec spec, EvalResult result, long steps, long stepsPerEpoch, long resumedFromStep,
            double trainSeconds, String stopReason, Map<String, Double> metrics, Path checkpoint,
            List<Device> devices) {}

    private final RunSpec spec;
    private final Path runDir;
    private int logEvery = 50;
    private long stopAfterSteps;
    private List<Device> devices = List.of(Device.cpu());

    /**
     * @param spec the settings
     * @param runDir the run folder ({@code --out})
     */
    public TrainRun(RunSpec spec, Path runDir) {
        this.spec = spec;
        this.runDir = runDir;
    }

    /**
     * @param steps progress log interval
     * @return this run
     */
    public TrainRun withLogEvery(int steps) {
        this.logEvery = steps;
        return this;
    }

    /**
     * Ends this invocation once the run has completed {@code steps} steps (checkpoint and evaluation as at any stop);
     * running again continues the run. For interrupting runs on purpose (tests, sharing a machine).
     *
     * @param steps total completed steps at which to stop ({@code <= 0}: no such limit)
     * @return this run
     */
    public TrainRun withStopAfterSteps(long steps) {
        this.stopAfterSteps = steps;
        return this;
    }

    /**
     * The devices to train on ({@link Devices#select}): the model is built on the first; with several, each step is
     * data-parallel over one replica per device ({@link DataParallel}). Not part of the run's identity: a run may
     * continue on other devices (as with another thread count).
     *
     * @param devices the devices, primary first (default: the CPU)
     * @return this run
     */
    public TrainRun withDevices(List<Device> devices) {
        if (devices.isEmpty()) {
            throw new IllegalArgumentException("no device");
        }
        this.devices = List.copyOf(devices);
        return this;
    }

    /**
     * Trains (or continues), evaluates and checkpoints.
     *
     * @return the outcome
     * @throws IOException if data or checkpoints cannot be read or written
     * @throws InputException if the folder holds a different run
     */
    public Result run() throws IOException {
        checkSameRun();
        spec.write(runDir);
        Path ckptDir = runDir.resolve(RunSpec.CHECKPOINTS);
        Map<String, Double> prior = priorMetrics(ckptDir);
        Engine.getInstance().setRandomSeed((int) spec.seed());
        CocoDetectionDataset train = trainingSet();
        DetectorEvaluator evaluator = DetectorEvaluator.forSplit(Path.of(spec.data()), spec.evalSplit(),
                spec.batchSize());
        try (NDManager manager = NDManager.newBaseManager(devices.get(0))) {
            Detector model = DetectorFactory.create(spec, manager);
            if (spec.backboneWeights() != null && !hasCheckpoint(ckptDir)) {
                BackboneWeights.load(model, Path.of(spec.backboneWeights()), manager); // fresh run only
            }
            long spe = train.size() / spec.batchSize();
            if (spe == 0) {
                throw new InputException(Path.of(spec.data()), spec.trainSplit(), "batch size " + spec.batchSize()
                        + " exceeds the " + train.size() + " training images");
            }
            LrSchedule schedule = LrSchedule.epochs(spec.lr(), spec.warmupSteps(), spec.lrDropEpochs(), spe,
                    spec.lrDropFactor());
            AdamW.Builder adamw = AdamW.builder().optWeightDecay(spec.weightDecay())
                    .optLrMultiplier(model.lowLrParameterNames()::contains, spec.backboneLrFactor());
            TrainingConfig config = new TrainingConfig(spec.seed(), spec.batchSize(), spec.epochs(),
                    spec.clipMaxNorm(), logEvery, ckptDir, spec.checkpointEvery() == 1,
                    spec.checkpointEvery() > 1 ? (int) (spec.checkpointEvery() * spe) : 0, 2);
            TrainingLoop loop = new TrainingLoop(DetectionTask.withDefaults(model),
                    new DatasetBatchSource(train, new DetectionBatchifier(), new DetectionBatchifier()),
                    DetectionTask.weights(), schedule, adamw, config, DataParallel.of(devices,
                            (r, device, m) -> DetectionTask.withDefaults(DetectorFactory.create(spec, m))));
            long resumedAt = loop.step();
            if (resumedAt > 0) {
                LOG.info("resuming the run in {} at step {} of {} (epoch {})", runDir, resumedAt, loop.totalSteps(),
                        resumedAt / spe + 1);
            }
            train.setEpoch((int) (resumedAt / spe));
            EpochEvaluation eval = new EpochEvaluation(model, evaluator, spec.evalEvery(), prior);
            loop.addListener(new TrainingListener() {
                @Override
                public void onStep(StepResult r) {
                    train.setEpoch((int) ((r.step() + 1) / spe));
                    if (spec.timed() && (r.step() + 1) % logEvery == 0) {
                        double used = eval.trainSeconds() / 60;
                        LOG.info(String.format(Locale.ROOT, "time budget: %.1f of %.1f min used, %.1f min left",
                                used, spec.minutes(), Math.max(0, spec.minutes() - used)));
                    }
                }
            });
            loop.addListener(eval);
            String stop = trainLoop(loop, eval);
            int epoch = (int) (Math.max(0, loop.step() - 1) / spe);
            EvalResult result = eval.evaluate(epoch);
            Map<String, Double> extra = new TreeMap<>(eval.metrics());
            extra.put(EpochEvaluation.TRAIN_SECONDS, eval.trainSeconds());
            for (int i = 0; i < EvalResult.STAT_NAMES.size(); i++) {
                extra.put("eval/final/" + EvalResult.STAT_NAMES.get(i), result.stats()[i]);
            }
            Path last = loop.saveCheckpoint(extra);
            CheckpointState state = new CheckpointStore(ckptDir, 0).readState(last);
            return new Result(spec, result, loop.step(), spe, resumedAt, eval.trainSeconds(), stop,
                    state.metrics(), last, devices);
        }
    }

    private String trainLoop(TrainingLoop loop, EpochEvaluation eval) throws IOException {
        double budget = spec.minutes() * 60;
        while (loop.step() < loop.totalSteps()) {
            if (budget > 0 && eval.trainSeconds() >= budget) {
                LOG.info("time budget of {} min spent after {} steps: stopping", spec.minutes(), loop.step());
                return "time";
            }
            if (stopAfterSteps > 0 && loop.step() >= stopAfterSteps) {
                LOG.info("stopping after step {} as asked; run again with the same --out to continue", loop.step());
                return "stop-after-steps";
            }
            loop.trainStep();
        }
        return "epochs";
    }

    private CocoDetectionDataset trainingSet() {
        Augmentation aug = switch (spec.augmentation()) {
            case "flip" -> new HorizontalFlip(0.5);
            case "none" -> Augmentation.NONE;
            default -> throw new InputException((String) null, "--augmentation", "unknown augmentation '"
                    + spec.augmentation() + "'; known: flip, none", null);
        };
        return CocoDetectionDataset.builder().setRoot(Path.of(spec.data())).setSplit(spec.trainSplit())
                .setSampling(spec.batchSize(), false).optAugmentation(aug).optSeed(spec.seed())
                .optCacheImages(true).build();
    }

    private void checkSameRun() {
        Path file = runDir.resolve(RunSpec.FILE);
        if (!Files.isRegularFile(file)) {
            return;
        }
        List<String> diff = spec.differences(RunSpec.read(file));
        if (!diff.isEmpty()) {
            throw new InputException(file, "", "the folder holds a different run (" + String.join("; ", diff)
                    + "): use another --out or the same settings");
        }
    }

    /**
     * @param ckptDir a run's checkpoints folder
     * @return whether it holds a checkpoint to resume from
     * @throws IOException if it cannot be listed
     */
    public static boolean hasCheckpoint(Path ckptDir) throws IOException {
        return Files.isDirectory(ckptDir) && new CheckpointStore(ckptDir, 0).latest().isPresent();
    }

    private static Map<String, Double> priorMetrics(Path ckptDir) throws IOException {
        if (!Files.isDirectory(ckptDir)) {
            return Map.of();
        }
        CheckpointStore store = new CheckpointStore(ckptDir, 0);
        Optional<Path> latest = store.latest();
        return latest.isPresent() ? store.readState(latest.get()).metrics() : Map.of();
    }
}
