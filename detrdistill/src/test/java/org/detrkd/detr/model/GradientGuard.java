package org.detrkd.detr.model;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.detrkd.detr.loss.DirectMemoryScribbler;
import org.detrkd.detr.loss.SetCriterion;
import org.detrkd.detr.matching.HungarianMatcher;
import org.detrkd.detr.matching.ImageTargets;
import org.detrkd.detr.matching.ShortestAugmentingPathSolver;
import org.detrkd.detr.util.Scalars;

/**
 * The freed-Java-memory guard shared by the detectors' tests (the DJL trap described in {@link Scalars}): one
 * training step of a detector and the set criterion on a fixed batch (two 64-px images, the second partly padded, three
 * boxes), once normally and once with Java direct memory freed and overwritten between forward and backward; every
 * parameter gradient must be the same. A graph op that kept a freed Java buffer makes the second set garbage.
 */
public final class GradientGuard {
    private GradientGuard() {}

    /**
     * @param detector an initialised detector ({@code [2, 3, 64, 64]} inputs, at least 3 classes)
     * @param extraQueries makes the extra query group on the batch's manager, or returns null for none
     */
    public static void assertScribbleInvariant(Detector detector, Function<NDManager, NDArray> extraQueries) {
        List<float[]> clean = gradients(detector, extraQueries, false);
        List<float[]> scribbled = gradients(detector, extraQueries, true);
        assertEquals(scribbled.size(), clean.size());
        int nonZero = 0;
        for (int i = 0; i < clean.size(); i++) {
            float[] a = clean.get(i);
            float[] b = scribbled.get(i);
            for (int j = 0; j < a.length; j++) {
                assertEquals(b[j], a[j], 1e-5f * Math.max(1f, Math.abs(a[j])), "parameter " + i + " entry " + j);
                nonZero += a[j] != 0f ? 1 : 0;
            }
        }
        assertTrue(nonZero > 1000, "gradients reach the parameters: " + nonZero);
    }

    private static List<float[]> gradients(Detector detector, Function<NDManager, NDArray> extraQueries,
                                           boolean scribble) {
        try (NDManager batch = NDManager.newBaseManager()) {
            batch.getEngine().setRandomSeed(11);
            NDArray images = batch.randomNormal(new Shape(2, 3, 64, 64));
            boolean[] pad = new boolean[2 * 64 * 64];
            for (int i = 64 * 64; i < pad.length; i++) {
                pad[i] = (i % 64) >= 48; // second image: right quarter padded
            }
            NDArray mask = batch.create(pad, new Shape(2, 64, 64));
            List<ImageTargets> targets = List.of(
                    new ImageTargets(batch.create(new long[] {0, 2}),
                            batch.create(new float[] {0.3f, 0.4f, 0.2f, 0.3f, 0.7f, 0.6f, 0.3f, 0.5f}, new Shape(2, 4))),
                    new ImageTargets(batch.create(new long[] {1}),
                            batch.create(new float[] {0.5f, 0.5f, 0.6f, 0.4f}, new Shape(1, 4))));
            SetCriterion criterion = new SetCriterion(new HungarianMatcher(new ShortestAugmentingPathSolver()));
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.zeroGradients();
                NDArray extra = extraQueries.apply(batch);
                DetrOutputs out = detector.forward(new ParameterStore(batch, false), images, mask, extra, true);
                NDArray total = weightedLoss(criterion, out.logits(), out.boxes(), targets);
                if (out.extra() != null) {
                    total = total.add(weightedLoss(criterion, out.extra().logits(), out.extra().boxes(), targets));
                }
                if (scribble) {
                    DirectMemoryScribbler.scribble();
                }
                gc.backward(total);
            }
            List<float[]> grads = new ArrayList<>();
            for (Pair<String, Parameter> p : detector.getParameters()) {
                if (p.getValue().requiresGradient()) {
                    try (NDArray g = p.getValue().getArray().getGradient()) {
                        grads.add(g.toFloatArray());
                    }
                }
            }
            return grads;
        }
    }

    /**
     * @param logits {@code [stages, B, Q, K]}
     * @param boxes {@code [stages, B, Q, 4]}
     * @return the set criterion's terms over every stage, weighted with the default weights and summed
     */
    public static NDArray weightedLoss(SetCriterion criterion, NDArray logits, NDArray boxes,
                                       List<ImageTargets> targets) {
        List<NDArray> l = new ArrayList<>();
        List<NDArray> b = new ArrayList<>();
        for (int s = 0; s < logits.getShape().get(0); s++) {
            l.add(logits.get(s));
            b.add(boxes.get(s));
        }
        NDArray total = null;
        for (var e : criterion.forward(l, b, targets).losses().entrySet()) {
            NDArray weighted = e.getValue().mul(Scalars.constant(e.getValue(), SetCriterion.defaultWeight(e.getKey())));
            total = total == null ? weighted : total.add(weighted);
        }
        return total;
    }
}
