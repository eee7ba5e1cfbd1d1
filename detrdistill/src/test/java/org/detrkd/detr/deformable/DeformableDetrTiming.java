package org.detrkd.detr.deformable;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;

import org.detrkd.detr.backbone.ResNetSpec;
import org.detrkd.detr.engine.AdamW;
import org.detrkd.detr.engine.GradientClipping;
import org.detrkd.detr.engine.TrainableParameters;
import org.detrkd.detr.loss.SetCriterion;
import org.detrkd.detr.matching.HungarianMatcher;
import org.detrkd.detr.matching.ImageTargets;
import org.detrkd.detr.matching.ShortestAugmentingPathSolver;
import org.detrkd.detr.model.DetrOutputs;
import org.detrkd.detr.util.Scalars;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Not a test: a timing probe for Deformable DETR training steps, run by hand with the test classpath:
 * {@code DeformableDetrTiming <mini-teacher|mini-student|paper|params> <batch> <size> <iters> [numClasses [refine]]}.
 * A step is the forward, the {@link SetCriterion} on every stage against random targets (1-6 boxes per image), the
 * backward, global-norm clipping and an AdamW update. Prints the parameter counts and the median / min times of
 * forward+loss+backward and of the whole step. {@code params} prints the parameter counts of all presets and exits.
 * {@code -Ddetrkd.timing.layers=E,D} and {@code -Ddetrkd.timing.attention=L,M,P} override the preset's layer counts
 * and deformable-attention sizes. With {@code -Ddetrkd.timing.mode=forward} only inference forwards are timed (no graph is kept: at 800 px a training
 * step of the paper preset keeps about 1.7 GB of sampled values per encoder layer for the backward, more than a
 * shared 23 GB machine has).
 */
public final class DeformableDetrTiming {

    private static final Logger LOG = LoggerFactory.getLogger(DeformableDetrTiming.class);

    private DeformableDetrTiming() {}

    public static void main(String[] args) {
        String variant = args[0];
        int classes = args.length > 4 ? Integer.parseInt(args[4]) : 80;
        if (variant.equals("params")) {
            for (String v : new String[] {"mini-teacher", "mini-student", "paper"}) {
                for (boolean refine : new boolean[] {false, true}) {
                    try (NDManager model = NDManager.newBaseManager()) {
                        DeformableDetr detr = build(config(v, classes).withBoxRefine(refine), model, 2, 128);
                        long[] n = counts(detr);
                        LOG.info(String.format(Locale.ROOT, "%s%s classes %d: %,d parameters (backbone %,d, rest %,d)",
                                v, refine ? " +refine" : "", classes, n[0], n[1], n[0] - n[1]));
                    }
                }
            }
            return;
        }
        int batch = Integer.parseInt(args[1]);
        int size = Integer.parseInt(args[2]);
        int iters = Integer.parseInt(args[3]);
        boolean refine = args.length > 5 && Boolean.parseBoolean(args[5]);
        DeformableDetrConfig cfg = config(variant, classes).withBoxRefine(refine);
        String layers = System.getProperty("detrkd.timing.layers"); // "encoder,decoder"
        if (layers != null) {
            String[] v = layers.split(",");
            cfg = cfg.withLayers(Integer.parseInt(v[0]), Integer.parseInt(v[1]));
        }
        String attention = System.getProperty("detrkd.timing.attention"); // "levels,heads,points"
        if (attention != null) {
            String[] v = attention.split(",");
            cfg = cfg.withAttention(Integer.parseInt(v[0]), Integer.parseInt(v[1]), Integer.parseInt(v[2]));
        }
        Engine.getInstance().setRandomSeed(1);
        try (NDManager model = NDManager.newBaseManager()) {
            DeformableDetr detr = build(cfg, model, batch, size);
            long[] n = counts(detr);
            TrainableParameters params = new TrainableParameters(detr);
            AdamW optimizer = AdamW.builder().optWeightDecay(1e-4).build(params, model);
            SetCriterion criterion = new SetCriterion(new HungarianMatcher(new ShortestAugmentingPathSolver()));
            ParameterStore store = new ParameterStore(model, false);
            if ("forward".equals(System.getProperty("detrkd.timing.mode"))) {
                timeForward(detr, store, cfg, n, batch, size, iters);
                return;
            }
            double[] fb = new double[iters];
            double[] step = new double[iters];
            SplittableRandom rng = new SplittableRandom(3);
            for (int i = -2; i < iters; i++) {
                try (NDManager m = model.newSubManager()) {
                    NDArray images = m.randomNormal(new Shape(batch, 3, size, size));
                    NDArray mask = m.zeros(new Shape(batch, size, size), DataType.BOOLEAN);
                    List<ImageTargets> targets = randomTargets(m, batch, classes, rng);
                    long t0 = System.nanoTime();
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        DetrOutputs out = detr.forward(store, images, mask, null, true);
                        gc.backward(loss(criterion, out, targets));
                    }
                    long t1 = System.nanoTime();
                    NDList grads = params.gradients(m);
                    NDList flat = optimizer.flatten(grads);
                    GradientClipping.clip(flat, GradientClipping.globalNorm(flat).getFloat(), 0.1);
                    optimizer.stepFlat(2e-4, flat);
                    TrainableParameters.zero(grads);
                    long t2 = System.nanoTime();
                    if (i >= 0) {
                        fb[i] = (t1 - t0) / 1e6;
                        step[i] = (t2 - t0) / 1e6;
                    }
                }
            }
            LOG.info(String.format(Locale.ROOT,
                    "%s%s classes %d queries %d enc/dec %d/%d L/M/P %d/%d/%d: %,d parameters (backbone %,d); batch %d, "
                            + "%dpx, threads %s, %d steps: "
                            + "forward+loss+backward median %.0f ms (min %.0f), whole step median %.0f ms (min %.0f)",
                    variant, refine ? " +refine" : "", classes, cfg.numQueries(), cfg.encoderLayers(),
                    cfg.decoderLayers(), cfg.featureLevels(), cfg.heads(), cfg.points(), n[0], n[1], batch, size,
                    System.getProperty("ai.djl.pytorch.num_threads"), iters, median(fb),
                    Arrays.stream(fb).min().orElse(0), median(step), Arrays.stream(step).min().orElse(0)));
        }
    }

    private static void timeForward(DeformableDetr detr, ParameterStore store, DeformableDetrConfig cfg, long[] n,
            int batch, int size, int iters) {
        double[] fwd = new double[iters];
        for (int i = -1; i < iters; i++) {
            try (NDManager m = NDManager.newBaseManager()) {
                NDArray images = m.randomNormal(new Shape(batch, 3, size, size));
                long t0 = System.nanoTime();
                DetrOutputs out = detr.forward(store, images, null, null, false);
                out.logits().toFloatArray();
                if (i >= 0) {
                    fwd[i] = (System.nanoTime() - t0) / 1e6;
                }
            }
        }
        LOG.info(String.format(Locale.ROOT, "%s%s queries %d: %,d parameters; batch %d, %dpx, threads %s, %d forwards: "
                + "inference forward median %.0f ms (min %.0f)", cfg.backbone().name(), cfg.boxRefine() ? " +refine"
                : "", cfg.numQueries(), n[0], batch, size, System.getProperty("ai.djl.pytorch.num_threads"), iters,
                median(fwd), Arrays.stream(fwd).min().orElse(0)));
    }

    private static DeformableDetrConfig config(String variant, int classes) {
        return switch (variant) {
            case "mini-teacher" -> DeformableDetrConfig.miniTeacher(classes);
            case "mini-student" -> DeformableDetrConfig.miniStudent(classes);
            case "paper" -> DeformableDetrConfig.paper(classes, ResNetSpec.resnet50());
            default -> throw new IllegalArgumentException("unknown variant " + variant);
        };
    }

    private static DeformableDetr build(DeformableDetrConfig cfg, NDManager model, int batch, int size) {
        DeformableDetr detr = new DeformableDetr(cfg);
        detr.initialize(model, DataType.FLOAT32, new Shape(batch, 3, size, size), new Shape(batch, size, size));
        return detr;
    }

    /** @return {total, backbone} parameter values, BatchNorm running statistics excluded */
    private static long[] counts(DeformableDetr detr) {
        long total = 0;
        long backbone = 0;
        for (Parameter p : detr.getParameters().values()) {
            if (p.getType() == Parameter.Type.RUNNING_MEAN || p.getType() == Parameter.Type.RUNNING_VAR) {
                continue;
            }
            total += p.getArray().size();
            backbone += detr.isBackboneParameter(p) ? p.getArray().size() : 0;
        }
        return new long[] {total, backbone};
    }

    private static List<ImageTargets> randomTargets(NDManager m, int batch, int classes, SplittableRandom rng) {
        List<ImageTargets> out = new ArrayList<>();
        for (int i = 0; i < batch; i++) {
            int n = 1 + rng.nextInt(6);
            long[] labels = new long[n];
            float[] boxes = new float[4 * n];
            for (int j = 0; j < n; j++) {
                labels[j] = rng.nextInt(classes);
                boxes[4 * j] = (float) (0.2 + 0.6 * rng.nextDouble());
                boxes[4 * j + 1] = (float) (0.2 + 0.6 * rng.nextDouble());
                boxes[4 * j + 2] = (float) (0.05 + 0.3 * rng.nextDouble());
                boxes[4 * j + 3] = (float) (0.05 + 0.3 * rng.nextDouble());
            }
            out.add(new ImageTargets(m.create(labels), m.create(boxes, new Shape(n, 4))));
        }
        return out;
    }

    private static NDArray loss(SetCriterion criterion, DetrOutputs out, List<ImageTargets> targets) {
        List<NDArray> l = new ArrayList<>();
        List<NDArray> b = new ArrayList<>();
        for (int s = 0; s < out.numStages(); s++) {
            l.add(out.logits().get(s));
            b.add(out.boxes().get(s));
        }
        NDArray total = null;
        for (var e : criterion.forward(l, b, targets).losses().entrySet()) {
            NDArray w = e.getValue().mul(Scalars.constant(e.getValue(), SetCriterion.defaultWeight(e.getKey())));
            total = total == null ? w : total.add(w);
        }
        return total;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
