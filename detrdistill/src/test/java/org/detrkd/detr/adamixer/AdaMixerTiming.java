package org.detrkd.detr.adamixer;

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

/**
 * Not a test: a timing probe for AdaMixer training steps (forward, SetCriterion with 3 random boxes per image,
 * backward, global-norm clipping, AdamW step), run by hand with the test classpath:
 * {@code AdaMixerTiming <mini-teacher|mini-student|paper> <batch> <size> <iters> [numClasses [P_in P_out]]} (set
 * {@code -Dai.djl.pytorch.num_threads}). Logs parameter counts and the median / min step and inference times.
 */
public final class AdaMixerTiming {

    private static final Logger LOG = LoggerFactory.getLogger(AdaMixerTiming.class);

    private AdaMixerTiming() {}

    public static void main(String[] args) {
        String variant = args[0];
        int batch = Integer.parseInt(args[1]);
        int size = Integer.parseInt(args[2]);
        int iters = Integer.parseInt(args[3]);
        int classes = args.length > 4 ? Integer.parseInt(args[4]) : 80;
        AdaMixerConfig cfg = switch (variant) {
            case "mini-teacher" -> AdaMixerConfig.miniTeacher(classes);
            case "mini-student" -> AdaMixerConfig.miniStudent(classes);
            case "paper" -> AdaMixerConfig.paper(classes, ResNetSpec.resnet50());
            default -> throw new IllegalArgumentException("unknown variant " + variant);
        };
        if (args.length > 6) {
            cfg = cfg.withPoints(cfg.groups(), Integer.parseInt(args[5]), Integer.parseInt(args[6]));
        }
        Engine.getInstance().setRandomSeed(1);
        try (NDManager model = NDManager.newBaseManager()) {
            AdaMixer detr = new AdaMixer(cfg);
            detr.initialize(model, DataType.FLOAT32, new Shape(batch, 3, size, size), new Shape(batch, size, size));
            long total = count(detr.getParameters().values());
            long backbone = count(detr.backbone().getParameters().values());
            TrainableParameters params = new TrainableParameters(detr);
            AdamW optimizer = AdamW.builder().optWeightDecay(1e-4).build(params, model);
            SetCriterion criterion = new SetCriterion(new HungarianMatcher(new ShortestAugmentingPathSolver()));
            double[] step = new double[iters];
            double[] fwd = new double[iters];
            for (int i = -2; i < iters; i++) {
                try (NDManager m = model.newSubManager()) {
                    NDArray images = m.randomNormal(new Shape(batch, 3, size, size));
                    NDArray mask = m.zeros(new Shape(batch, size, size), DataType.BOOLEAN);
                    List<ImageTargets> targets = new ArrayList<>();
                    for (int b = 0; b < batch; b++) {
                        targets.add(new ImageTargets(m.randomInteger(0, classes, new Shape(3), DataType.INT64),
                                m.randomUniform(0.2f, 0.5f, new Shape(3, 4))));
                    }
                    long t0 = System.nanoTime();
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        DetrOutputs out = detr.forward(new ParameterStore(m, false), images, mask, null, true);
                        List<NDArray> logits = new ArrayList<>();
                        List<NDArray> boxes = new ArrayList<>();
                        for (int s = 0; s < out.numStages(); s++) {
                            logits.add(out.logits().get(s));
                            boxes.add(out.boxes().get(s));
                        }
                        NDArray loss = null;
                        for (var e : criterion.forward(logits, boxes, targets).losses().entrySet()) {
                            NDArray w = e.getValue().mul(Scalars.constant(e.getValue(),
                                    SetCriterion.defaultWeight(e.getKey())));
                            loss = loss == null ? w : loss.add(w);
                        }
                        gc.backward(loss);
                    }
                    NDList grads = params.gradients(m);
                    NDList flats = optimizer.flatten(grads);
                    GradientClipping.clip(flats, GradientClipping.globalNorm(flats).getFloat(), 1.0);
                    optimizer.stepFlat(1e-5, flats);
                    TrainableParameters.zero(grads);
                    long t1 = System.nanoTime();
                    DetrOutputs inf = detr.forward(new ParameterStore(m, false), images, mask, null, false);
                    inf.logits().toFloatArray();
                    long t2 = System.nanoTime();
                    if (i >= 0) {
                        step[i] = (t1 - t0) / 1e6;
                        fwd[i] = (t2 - t1) / 1e6;
                    }
                }
            }
            LOG.info(String.format(Locale.ROOT,
                    "AdaMixer %s (P_in %d, P_out %d) classes %d: %,d parameters (backbone %,d, neck+stages+queries %,d); batch %d, %dpx, "
                            + "threads %s: training step median %.1f ms (min %.1f), inference forward median %.1f ms "
                            + "(min %.1f); steps %s",
                    variant, cfg.inPoints(), cfg.outPoints(), classes, total, backbone, total - backbone, batch, size,
                    System.getProperty("ai.djl.pytorch.num_threads"), median(step), Arrays.stream(step).min().orElse(0),
                    median(fwd), Arrays.stream(fwd).min().orElse(0), Arrays.toString(round(step))));
        }
    }

    private static long count(java.util.Collection<Parameter> ps) {
        long n = 0;
        for (Parameter p : ps) {
            if (p.getType() != Parameter.Type.RUNNING_MEAN && p.getType() != Parameter.Type.RUNNING_VAR) {
                n += p.getArray().size();
            }
        }
        return n;
    }

    private static long[] round(double[] v) {
        return Arrays.stream(v).mapToLong(Math::round).toArray();
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
