package org.detrkd.suites.run;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.nn.Block;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.detrkd.datasets.djl.CocoDetectionDataset;
import org.detrkd.datasets.djl.DetectionBatchifier;
import org.detrkd.datasets.djl.augment.HorizontalFlip;
import org.detrkd.datasets.eval.EvalResult;
import org.detrkd.datasets.io.InputException;
import org.detrkd.detr.engine.AdamW;
import org.detrkd.detr.engine.CheckpointStore;
import org.detrkd.detr.engine.DataParallel;
import org.detrkd.detr.engine.DatasetBatchSource;
import org.detrkd.detr.engine.DivergenceException;
import org.detrkd.detr.engine.LossWeights;
import org.detrkd.detr.engine.LrSchedule;
import org.detrkd.detr.engine.StepResult;
import org.detrkd.detr.engine.TrainingConfig;
import org.detrkd.detr.engine.TrainingListener;
import org.detrkd.detr.engine.TrainingLoop;
import org.detrkd.detr.engine.TrainingTask;
import org.detrkd.detr.train.DetectorEvaluator;
import org.detrkd.reports.model.EpochRecord;
import org.detrkd.suites.spec.Cell.TrainingSchedule;

/**
 * Trains one model of a suite (a teacher or a cell's student) in a folder with the engine's {@link TrainingLoop}:
 * a checkpoint at every epoch end (the last two kept), so a killed run continues from its last epoch; evaluation on
 * {@code val} with the COCO evaluator after every epoch. The per-epoch AP, mean loss terms and the cumulative wall
 * time ride in each checkpoint's metrics ({@code runner/...}), so a resumed run reports the whole history.
 *
 * <p>A non-finite loss ({@link DivergenceException}) becomes a {@link CellFailure} with its step and terms. With
 * several devices ({@code detrkd run --devices N}) every step is data-parallel ({@link DataParallel}).
 */
final class ModelTraining {
    private static final String PREFIX = "runner/";
    private static final String WALL = PREFIX + "wall_seconds";
    private static final String TRAIN = PREFIX + "train_seconds";

    /**
     * @param result the final evaluation on {@code val}
     * @param history per-epoch AP and mean loss terms, epoch order
     * @param steps completed steps
     * @param trainSeconds cumulative time in training steps
     * @param wallSeconds cumulative wall time (training, evaluation, checkpoints)
     * @param peakRssBytes peak resident set size of the process
     * @param resumedFromStep 0 for a fresh run
     */
    record Outcome(EvalResult result, List<EpochRecord> history, long steps, double trainSeconds,
            double wallSeconds, long peakRssBytes, long resumedFromStep) {
    }

    /**
     * What is trained: the task (student, losses, teacher) and its detector to evaluate, and how to build the task's
     * replicas on other devices (data-parallel training, {@link DataParallel}; unused on one device).
     */
    record Subject(TrainingTask task, Block detector, LossWeights weights, DataParallel.ReplicaFactory replicas) {
    }

    private ModelTraining() {
    }

    /** The training split of a dataset folder (flip augmentation, decoded images cached). */
    static CocoDetectionDataset trainingSet(Path data, int batch, long seed) {
        return CocoDetectionDataset.builder().setRoot(data).setSplit("train").setSampling(batch, false)
                .optAugmentation(new HorizontalFlip(0.5)).optSeed(seed).optCacheImages(true).build();
    }

    /**
     * Trains (or continues) and evaluates.
     *
     * @param subject what to train
     * @param train the training split
     * @param evaluator the {@code val} evaluator
     * @param schedule the schedule
     * @param seed the seed
     * @param devices the devices, primary first (the subject's model lives on the first; data-parallel when several)
     * @param dir the run folder ({@code checkpoints/} inside)
     * @param progress terminal progress
     * @param stopAfterSteps stop this invocation (as if killed) once this many steps are complete; 0: never
     * @param runId for messages
     */
    static Outcome train(Subject subject, CocoDetectionDataset train, DetectorEvaluator evaluator,
            TrainingSchedule schedule, long seed, List<Device> devices, Path dir, Progress progress,
            long stopAfterSteps, String runId) throws IOException {
        long spe = train.size() / schedule.batch();
        if (spe == 0) {
            throw new InputException(dir, "", "batch " + schedule.batch() + " exceeds the " + train.size()
                    + " training images");
        }
        Path ckptDir = dir.resolve("checkpoints");
        Map<String, Double> prior = priorMetrics(ckptDir);
        long warmup = schedule.warmupSteps(spe);
        int[] drops = schedule.lrDropEpochs().stream().mapToInt(Integer::intValue).toArray();
        LrSchedule lr = LrSchedule.epochs(schedule.lr(), warmup, drops, spe, schedule.lrDropFactor());
        AdamW.Builder adamw = AdamW.builder().optWeightDecay(schedule.weightDecay())
                .optLrMultiplier(subject.detector() instanceof org.detrkd.detr.model.Detector d
                        ? org.detrkd.detr.distill.DistillRun.lowLr(d) : name -> name.contains("backbone"),
                        schedule.backboneLrFactor());
        TrainingConfig config = new TrainingConfig(seed, schedule.batch(), schedule.epochs(), schedule.gradClip(),
                Integer.MAX_VALUE / 2, ckptDir, true, 0, 2);
        Engine.getInstance().setRandomSeed((int) seed);
        TrainingLoop loop = new TrainingLoop(subject.task(),
                new DatasetBatchSource(train, new DetectionBatchifier(), new DetectionBatchifier()),
                subject.weights(), lr, adamw, config, DataParallel.of(devices, subject.replicas()));
        long resumedAt = loop.step();
        train.setEpoch((int) (resumedAt / spe));
        History history = new History(prior, subject.detector(), evaluator);
        loop.addListener(new TrainingListener() {
            @Override
            public void onStep(StepResult r) {
                train.setEpoch((int) ((r.step() + 1) / spe));
                history.stepped(r.seconds());
                progress.step(r, loop.totalSteps(), spe, schedule.epochs());
            }

            @Override
            public Map<String, Double> onEpochEnd(int epoch, Map<String, Double> meanTerms) {
                return history.epochEnd(epoch, meanTerms);
            }
        });
        StepResult last = null;
        while (loop.step() < loop.totalSteps()) {
            if (stopAfterSteps > 0 && loop.step() >= stopAfterSteps) {
                throw new StopRequested(runId, loop.step());
            }
            try {
                last = loop.trainStep();
            } catch (DivergenceException e) {
                Map<String, Double> terms = new TreeMap<>();
                e.diverged().forEach((k, v) -> terms.put(k, (double) v));
                throw new CellFailure("non-finite values at step " + e.step() + ": " + e.getMessage(), e.step(),
                        terms);
            } catch (IllegalArgumentException e) {
                // NaN weights surface first in the matcher's cost matrix, before any loss is computed
                if (e.getMessage() == null || !e.getMessage().contains("NaN") && !e.getMessage().contains("finite")) {
                    throw e;
                }
                Map<String, Double> terms = new TreeMap<>();
                if (last != null) {
                    last.terms().forEach((k, v) -> terms.put(k, (double) v));
                }
                throw new CellFailure("non-finite values at step " + loop.step() + " (" + e.getMessage()
                        + "); terms of the last finite step " + (last == null ? "-" : last.step()), loop.step(),
                        terms);
            }
        }
        EvalResult result = history.finalResult(schedule.epochs() - 1);
        return new Outcome(result, history.records(), loop.step(), history.trainSeconds(), history.wallSeconds(),
                loop.memory().peakRssBytes(), resumedAt);
    }

    private static Map<String, Double> priorMetrics(Path ckptDir) throws IOException {
        if (!Files.isDirectory(ckptDir)) {
            return Map.of();
        }
        CheckpointStore store = new CheckpointStore(ckptDir, 0);
        Optional<Path> latest = store.latest();
        return latest.isPresent() ? store.readState(latest.get()).metrics() : Map.of();
    }

    /** The per-epoch record kept in checkpoint metrics. */
    private static final class History {
        private final Map<String, Double> kept = new TreeMap<>();
        private final Block detector;
        private final DetectorEvaluator evaluator;
        private final long startNanos = System.nanoTime();
        private final double priorWall;
        private double trainSeconds;
        private EvalResult last;
        private int lastEpoch = -1;

        History(Map<String, Double> prior, Block detector, DetectorEvaluator evaluator) {
            prior.forEach((k, v) -> {
                if (k.startsWith(PREFIX)) {
                    kept.put(k, v);
                }
            });
            this.priorWall = kept.getOrDefault(WALL, 0.0);
            this.trainSeconds = kept.getOrDefault(TRAIN, 0.0);
            this.detector = detector;
            this.evaluator = evaluator;
        }

        Map<String, Double> epochEnd(int epoch, Map<String, Double> meanTerms) {
            String key = String.format(Locale.ROOT, "%sepoch_%03d/", PREFIX, epoch + 1);
            meanTerms.forEach((k, v) -> kept.put(key + "loss/" + k, v));
            kept.put(TRAIN, trainSeconds);
            kept.put(key + "AP", evaluate(epoch).stat("AP"));
            kept.put(WALL, wallSeconds());
            return new TreeMap<>(kept);
        }

        EvalResult evaluate(int epoch) {
            if (epoch != lastEpoch || last == null) {
                try {
                    last = evaluator.evaluate(detector, null).result();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                lastEpoch = epoch;
            }
            return last;
        }

        EvalResult finalResult(int lastEpochIndex) {
            return evaluate(lastEpochIndex);
        }

        double wallSeconds() {
            return priorWall + (System.nanoTime() - startNanos) / 1e9;
        }

        void stepped(double seconds) {
            trainSeconds += seconds;
        }

        double trainSeconds() {
            return trainSeconds;
        }

        List<EpochRecord> records() {
            Map<Integer, Map<String, Double>> loss = new TreeMap<>();
            Map<Integer, Double> ap = new TreeMap<>();
            kept.forEach((k, v) -> {
                if (!k.startsWith(PREFIX + "epoch_")) {
                    return;
                }
                String rest = k.substring((PREFIX + "epoch_").length());
                int epoch = Integer.parseInt(rest.substring(0, 3));
                String name = rest.substring(4);
                if (name.equals("AP")) {
                    ap.put(epoch, v);
                } else if (name.startsWith("loss/")) {
                    loss.computeIfAbsent(epoch, e -> new TreeMap<>()).put(name.substring(5), v);
                }
            });
            List<EpochRecord> out = new ArrayList<>();
            loss.forEach((e, terms) -> out.add(new EpochRecord(e, ap.get(e), terms)));
            return out;
        }
    }
}
