package org.detrkd.detr.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;

import org.detrkd.detr.adamixer.AdaMixer;
import org.detrkd.detr.adamixer.AdaMixerConfig;
import org.detrkd.detr.conditional.ConditionalDetr;
import org.detrkd.detr.conditional.ConditionalDetrConfig;
import org.detrkd.detr.deformable.DeformableDetr;
import org.detrkd.detr.deformable.DeformableDetrConfig;
import org.detrkd.detr.engine.AdamW;
import org.detrkd.detr.engine.BatchSource;
import org.detrkd.detr.engine.LrSchedule;
import org.detrkd.detr.engine.StepResult;
import org.detrkd.detr.engine.StepTimings;
import org.detrkd.detr.engine.TrainingConfig;
import org.detrkd.detr.engine.TrainingLoop;
import org.detrkd.detr.loss.SetCriterion;
import org.detrkd.detr.matching.HungarianMatcher;
import org.detrkd.detr.matching.ImageTargets;
import org.detrkd.detr.matching.ShortestAugmentingPathSolver;
import org.detrkd.detr.model.Detector;
import org.detrkd.detr.model.DetrOutputs;

import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Times full training steps of any detector (the {@link TrainingLoop}'s: data, forward with the set criterion and
 * Hungarian matching, backward, global-norm clipping, AdamW) on random data of a given size, after a few warm-up
 * steps. Reports the median step, images per second, the loop's per-phase breakdown ({@link StepTimings}), the time
 * of the matching inside the forward (measured separately on the same batch: cost matrices, host copy and solver, for
 * every decoder stage), the parameter count and, for Conditional DETR (the detector {@link FlopCount} counts), the FLOP
 * rate achieved against the machine's matmul ceiling.
 */
public final class StepBenchmark {

    /** The machine's measured dense matmul ceiling (1024^3 float32 matmul, 2 threads): about 125 GFLOP/s. */
    public static final double CEILING_GFLOPS = 125;

    /**
     * @param detector {@code conditional-detr}, {@code deformable-detr} or {@code adamixer}
     * @param size teacher, student or paper
     * @param classes K
     * @param queries queries, or 0 for the preset's
     * @param batch images per step
     * @param imageSize square image side
     * @param steps timed steps
     * @param warmup untimed steps first
     * @param seed seed of the weights and data
     */
    public record Settings(String detector, String size, int classes, int queries, int batch, int imageSize,
            int steps, int warmup, long seed) {}

    private StepBenchmark() {}

    /**
     * @param s the settings
     * @return the report, ready for JSON
     * @throws IOException never in practice (random data)
     */
    public static Map<String, Object> run(Settings s) throws IOException {
        Engine.getInstance().setRandomSeed((int) s.seed());
        try (NDManager manager = NDManager.newBaseManager()) {
            Detector model = DetectorFactory.create(s.detector(), s.size(), s.classes(), s.queries(), manager,
                    s.imageSize());
            TimedSolver solver = new TimedSolver(new ShortestAugmentingPathSolver());
            HungarianMatcher matcher = new HungarianMatcher(solver);
            DetectionTask task = new DetectionTask(model, new SetCriterion(matcher));
            BatchSource source = new RandomDetectionBatches(s.batch() * (s.warmup() + s.steps()), s.imageSize(),
                    s.classes(), s.seed());
            TrainingLoop loop = new TrainingLoop(task, source, DetectionTask.weights(), LrSchedule.constant(1e-4),
                    AdamW.builder().optLrMultiplier(model.lowLrParameterNames()::contains, 0.1),
                    new TrainingConfig(s.seed(), s.batch(), 1, 0.1, Integer.MAX_VALUE, null, false, 0, 0));
            for (int i = 0; i < s.warmup(); i++) {
                loop.trainStep();
            }
            loop.timings().reset();
            solver.takeSeconds();
            double[] ms = new double[s.steps()];
            for (int i = 0; i < s.steps(); i++) {
                StepResult r = loop.trainStep();
                ms[i] = r.seconds() * 1000;
            }
            double solverMs = solver.takeSeconds() * 1000 / s.steps();
            double matchingMs = matchingMillis(model, matcher, source, s);
            return report(s, model, loop, ms, solverMs, matchingMs);
        }
    }

    /** Median over {@code steps} repeats of matching every decoder stage of one batch (no gradient). */
    private static double matchingMillis(Detector model, HungarianMatcher matcher, BatchSource source,
            Settings s) throws IOException {
        NDManager owner = model.getParameters().get(0).getValue().getArray().getManager();
        try (NDManager sm = owner.newSubManager()) {
            int[] idx = new int[s.batch()];
            Arrays.setAll(idx, i -> i);
            BatchSource.Batch batch = source.batch(sm, idx);
            DetrOutputs o = DetrOutputs.fromNDList(
                    model.forward(new ParameterStore(owner, false), batch.data(), false));
            List<ImageTargets> targets = ImageTargets.fromBatch(batch.labels());
            double[] ms = new double[Math.max(1, s.steps())];
            for (int r = 0; r < ms.length; r++) {
                long t = System.nanoTime();
                for (int st = 0; st < o.numStages(); st++) {
                    NDArray logits = o.logits().get(st);
                    NDArray boxes = o.boxes().get(st);
                    matcher.match(logits, boxes, targets);
                    logits.close();
                    boxes.close();
                }
                ms[r] = (System.nanoTime() - t) / 1e6;
            }
            return median(ms);
        }
    }

    private static Map<String, Object> report(Settings s, Detector model, TrainingLoop loop, double[] ms,
            double solverMs, double matchingMs) {
        double median = median(ms);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("detector", s.detector());
        m.put("size", s.size());
        putSizes(m, model);
        m.put("classes", s.classes());
        m.put("settings", settingsOf(model));
        m.put("batch_size", s.batch());
        m.put("image_size", s.imageSize());
        m.put("steps", s.steps());
        m.put("warmup_steps", s.warmup());
        m.put("parameters", DetectorFactory.trainableParameters(model));
        m.put("peak_rss_mib", loop.memory().peakRssBytes() / 1048576.0);
        m.put("images_per_second", s.batch() / (median / 1000));
        m.put("median_step_ms", median);
        double[] sorted = ms.clone();
        Arrays.sort(sorted);
        m.put("min_step_ms", sorted[0]);
        m.put("max_step_ms", sorted[sorted.length - 1]);
        Map<String, Double> phases = new LinkedHashMap<>();
        loop.timings().meanMillisPerStep().forEach((k, v) -> phases.put(k.name().toLowerCase(Locale.ROOT), v));
        m.put("breakdown_mean_ms", phases);
        m.put("matching_ms", matchingMs);
        m.put("matching_solver_ms", solverMs);
        m.put("matching_note", "included in forward: matching_ms = cost matrices + host copy + solver for every "
                + "decoder stage, measured separately on one batch; matching_solver_ms = solver only, during the steps");
        if (model instanceof ConditionalDetr detr) {
            ConditionalDetrConfig c = detr.config();
            double fwd = 2 * FlopCount.forwardMacs(c, s.batch(), s.imageSize(), s.imageSize());
            double train = FlopCount.trainStepFlops(c, s.batch(), s.imageSize(), s.imageSize());
            m.put("forward_gflop", fwd / 1e9);
            m.put("train_step_gflop", train / 1e9);
            double rate = train / 1e9 / (median / 1000);
            m.put("achieved_gflops", rate);
            m.put("ceiling_gflops", CEILING_GFLOPS);
            m.put("fraction_of_ceiling", rate / CEILING_GFLOPS);
            m.put("flop_method", "analytic count of convolution, linear and attention-product MACs (FlopCount), 2 "
                    + "FLOPs per MAC, training step = 3 x forward; norms, activations, losses and matching not counted");
        }
        return m;
    }

    /** backbone, hidden_dim, encoder_layers, decoder_layers, queries of any of the three detectors. */
    private static void putSizes(Map<String, Object> m, Detector model) {
        if (model instanceof ConditionalDetr c) {
            ConditionalDetrConfig k = c.config();
            putSizes(m, k.backbone().name(), k.hiddenDim(), k.encoderLayers(), k.decoderLayers(), k.numQueries());
        } else if (model instanceof DeformableDetr d) {
            DeformableDetrConfig k = d.config();
            putSizes(m, k.backbone().name(), k.hiddenDim(), k.encoderLayers(), k.decoderLayers(), k.numQueries());
        } else if (model instanceof AdaMixer a) {
            AdaMixerConfig k = a.config();
            putSizes(m, k.backbone().name(), k.hiddenDim(), 0, k.stages(), k.numQueries());
        }
    }

    private static void putSizes(Map<String, Object> m, String backbone, int d, int enc, int dec, int queries) {
        m.put("backbone", backbone);
        m.put("hidden_dim", d);
        m.put("encoder_layers", enc);
        m.put("decoder_layers", dec);
        m.put("queries", queries);
    }

    /** The detector's settings record as text (backbone, widths, layers, queries, ...). */
    private static String settingsOf(Detector model) {
        if (model instanceof ConditionalDetr c) {
            return c.config().toString();
        } else if (model instanceof DeformableDetr d) {
            return d.config().toString();
        } else if (model instanceof AdaMixer a) {
            return a.config().toString();
        }
        return model.getClass().getSimpleName();
    }

    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }
}
