package org.detrkd.detr.adamixer;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;

import org.detrkd.detr.loss.DirectMemoryScribbler;
import org.detrkd.detr.loss.SetCriterion;
import org.detrkd.detr.matching.HungarianMatcher;
import org.detrkd.detr.matching.ImageTargets;
import org.detrkd.detr.matching.ShortestAugmentingPathSolver;
import org.detrkd.detr.model.DetrOutputs;
import org.detrkd.detr.util.Scalars;
import org.testng.annotations.Test;

import java.util.ArrayList;
import java.util.List;

/**
 * Guards the whole AdaMixer training graph (backbone, neck, stages, heads, criterion, extra group) against the DJL
 * freed-Java-memory trap (see {@link Scalars}): gradients computed with Java direct memory freed and overwritten
 * between forward and backward must equal gradients computed without.
 */
public class AdaMixerGraphSafetyTest {

    @Test
    public void gradientsDoNotDependOnFreedJavaMemory() {
        Engine.getInstance().setRandomSeed(3);
        try (NDManager model = NDManager.newBaseManager()) {
            AdaMixer detr = new AdaMixer(AdaMixerTest.tinyConfig(3));
            detr.initialize(model, DataType.FLOAT32, new Shape(2, 3, 64, 64), new Shape(2, 64, 64));
            List<float[]> clean = gradients(detr, false);
            List<float[]> scribbled = gradients(detr, true);
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
    }

    private static List<float[]> gradients(AdaMixer detr, boolean scribble) {
        try (NDManager batch = NDManager.newBaseManager()) {
            batch.getEngine().setRandomSeed(11);
            NDArray images = batch.randomNormal(new Shape(2, 3, 64, 64));
            NDArray mask = batch.zeros(new Shape(2, 64, 64), DataType.BOOLEAN);
            List<ImageTargets> targets = List.of(
                    new ImageTargets(batch.create(new long[] {0, 2}),
                            batch.create(new float[] {0.3f, 0.4f, 0.2f, 0.3f, 0.7f, 0.6f, 0.3f, 0.5f}, new Shape(2, 4))),
                    new ImageTargets(batch.create(new long[] {1}),
                            batch.create(new float[] {0.5f, 0.5f, 0.6f, 0.4f}, new Shape(1, 4))));
            SetCriterion criterion = new SetCriterion(new HungarianMatcher(new ShortestAugmentingPathSolver()));
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.zeroGradients();
                DetrOutputs out = detr.forward(new ParameterStore(batch, false), images, mask, detr.queryGroup(batch),
                        true);
                List<NDArray> logits = new ArrayList<>();
                List<NDArray> boxes = new ArrayList<>();
                for (int s = 0; s < out.numStages(); s++) {
                    logits.add(out.logits().get(s));
                    boxes.add(out.boxes().get(s));
                }
                SetCriterion.Output losses = criterion.forward(logits, boxes, targets);
                NDArray total = out.extra().boxes().mean();
                for (var e : losses.losses().entrySet()) {
                    total = total.add(e.getValue().mul(Scalars.constant(e.getValue(),
                            SetCriterion.defaultWeight(e.getKey()))));
                }
                if (scribble) {
                    DirectMemoryScribbler.scribble();
                }
                gc.backward(total);
            }
            List<float[]> grads = new ArrayList<>();
            for (Pair<String, Parameter> p : detr.getParameters()) {
                if (p.getValue().requiresGradient()) {
                    try (NDArray g = p.getValue().getArray().getGradient()) {
                        grads.add(g.toFloatArray());
                    }
                }
            }
            return grads;
        }
    }
}
