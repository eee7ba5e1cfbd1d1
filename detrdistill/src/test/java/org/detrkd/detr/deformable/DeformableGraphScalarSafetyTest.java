package org.detrkd.detr.deformable;

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
 * Guards the whole Deformable DETR training graph (backbone, multi-scale neck, deformable encoder and decoder, heads,
 * the extra query group, criterion) against the DJL freed-Java-memory trap described in {@link Scalars}: gradients
 * computed with Java direct memory freed and overwritten between forward and backward must equal gradients computed
 * without. Runs the plain and the iterative-refinement variant.
 */
public class DeformableGraphScalarSafetyTest {

    @Test
    public void gradientsDoNotDependOnFreedJavaMemory() {
        for (boolean refine : new boolean[] {false, true}) {
            Engine.getInstance().setRandomSeed(3);
            try (NDManager model = NDManager.newBaseManager()) {
                DeformableDetr detr = new DeformableDetr(DeformableDetrConfig.miniStudent(3).withLayers(1, 2)
                        .withQueries(6).withBoxRefine(refine));
                detr.initialize(model, DataType.FLOAT32, new Shape(2, 3, 64, 64), new Shape(2, 64, 64));
                List<float[]> clean = gradients(detr, false);
                List<float[]> scribbled = gradients(detr, true);
                assertEquals(scribbled.size(), clean.size());
                int nonZero = 0;
                for (int i = 0; i < clean.size(); i++) {
                    float[] a = clean.get(i);
                    float[] b = scribbled.get(i);
                    for (int j = 0; j < a.length; j++) {
                        assertEquals(b[j], a[j], 1e-5f * Math.max(1f, Math.abs(a[j])),
                                "refine " + refine + " parameter " + i + " entry " + j);
                        nonZero += a[j] != 0f ? 1 : 0;
                    }
                }
                assertTrue(nonZero > 1000, "gradients reach the parameters: " + nonZero);
            }
        }
    }

    private static List<float[]> gradients(DeformableDetr detr, boolean scribble) {
        try (NDManager batch = NDManager.newBaseManager()) {
            batch.getEngine().setRandomSeed(11);
            NDArray images = batch.randomNormal(new Shape(2, 3, 64, 64));
            boolean[] pad = new boolean[2 * 64 * 64];
            for (int i = 64 * 64; i < pad.length; i++) {
                pad[i] = (i % 64) >= 48; // second image: right quarter padded
            }
            NDArray mask = batch.create(pad, new Shape(2, 64, 64));
            NDArray extra = batch.randomNormal(new Shape(4, 2 * detr.config().hiddenDim()));
            List<ImageTargets> targets = List.of(
                    new ImageTargets(batch.create(new long[] {0, 2}),
                            batch.create(new float[] {0.3f, 0.4f, 0.2f, 0.3f, 0.7f, 0.6f, 0.3f, 0.5f}, new Shape(2, 4))),
                    new ImageTargets(batch.create(new long[] {1}),
                            batch.create(new float[] {0.5f, 0.5f, 0.6f, 0.4f}, new Shape(1, 4))));
            SetCriterion criterion = new SetCriterion(new HungarianMatcher(new ShortestAugmentingPathSolver()));
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.zeroGradients();
                DetrOutputs out = detr.forward(new ParameterStore(batch, false), images, mask, extra, true);
                NDArray total = weightedLoss(criterion, out.logits(), out.boxes(), targets);
                total = total.add(weightedLoss(criterion, out.extra().logits(), out.extra().boxes(), targets));
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

    private static NDArray weightedLoss(SetCriterion criterion, NDArray logits, NDArray boxes,
            List<ImageTargets> targets) {
        List<NDArray> l = new ArrayList<>();
        List<NDArray> b = new ArrayList<>();
        for (int s = 0; s < logits.getShape().get(0); s++) {
            l.add(logits.get(s));
            b.add(boxes.get(s));
        }
        NDArray total = null;
        for (var e : criterion.forward(l, b, targets).losses().entrySet()) {
            NDArray weighted = e.getValue().mul(Scalars.constant(e.getValue(),
                    SetCriterion.defaultWeight(e.getKey())));
            total = total == null ? weighted : total.add(weighted);
        }
        return total;
    }
}
