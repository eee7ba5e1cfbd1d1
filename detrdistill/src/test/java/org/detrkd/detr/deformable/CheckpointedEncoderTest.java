package org.detrkd.detr.deformable;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
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

import org.detrkd.detr.backbone.ResNetSpec;
import org.detrkd.detr.loss.DirectMemoryScribbler;
import org.detrkd.detr.loss.SetCriterion;
import org.detrkd.detr.matching.HungarianMatcher;
import org.detrkd.detr.matching.ImageTargets;
import org.detrkd.detr.matching.ShortestAugmentingPathSolver;
import org.detrkd.detr.model.DetrOutputs;
import org.detrkd.detr.model.GradientGuard;
import org.detrkd.detr.ops.GradientCheckpoint;
import org.detrkd.detr.ops.SpatialShapes;
import org.detrkd.detr.transformer.DropoutMasks;
import org.detrkd.detr.util.Scalars;
import org.testng.annotations.Test;

import java.util.ArrayList;
import java.util.List;

/**
 * {@link CheckpointedEncoder}: a training step of a small Deformable DETR (2 encoder layers, dropout 0.1) gives the
 * same parameter gradients with the encoder checkpointed as without, with freed Java memory scribbled between forward
 * and backward; the dropout masks of both runs come from the same seeded draws (an outer {@link DropoutMasks}), so
 * equality also shows that the recomputation replays the masks the first pass used. And the automatic choice: on at
 * the paper preset's 800-px size, off at the mini size (dense sampling path).
 */
public class CheckpointedEncoderTest {

    private static final DeformableDetrConfig CONFIG = new DeformableDetrConfig(3, 32, 4, 64, 2, 2, 5, 4, 2,
            DeformableDetrConfig.groupsFor(32), false, 0.1f, ResNetSpec.miniStudent());

    @Test
    public void checkpointedGradientsEqualThePlainEncoders() {
        try (NDManager model = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(3);
            DeformableDetr detr = new DeformableDetr(CONFIG);
            detr.initialize(model, DataType.FLOAT32, new Shape(1, 3, 64, 64), new Shape(1, 64, 64));
            List<String> names = new ArrayList<>();
            for (Pair<String, Parameter> p : detr.getParameters()) {
                if (p.getValue().requiresGradient()) {
                    names.add(p.getKey());
                }
            }
            List<float[]> plain = gradients(detr, "off", false);
            List<float[]> checkpointed = gradients(detr, "on", true);
            assertEquals(checkpointed.size(), plain.size());
            int compared = 0;
            for (int i = 0; i < plain.size(); i++) {
                float[] a = plain.get(i);
                float[] b = checkpointed.get(i);
                for (int j = 0; j < a.length; j++) {
                    assertEquals(b[j], a[j], 1e-5f + 1e-4f * Math.abs(a[j]), "parameter " + names.get(i) + " entry " + j);
                    compared += a[j] != 0 ? 1 : 0;
                }
            }
            assertTrue(compared > 10_000, "gradients reach the parameters: " + compared);
        }
    }

    @Test
    public void automaticChoiceCheckpointsOnlyLargeGatherPathEncoders() {
        String before = System.clearProperty(CheckpointedEncoder.PROPERTY);
        try {
            DeformableDetrConfig paper = DeformableDetrConfig.paper(91, ResNetSpec.resnet50());
            assertTrue(CheckpointedEncoder.wanted(2, SpatialShapes.of(100, 134, 50, 67, 25, 34, 13, 17), paper));
            DeformableDetrConfig mini = DeformableDetrConfig.miniStudent(8);
            assertFalse(CheckpointedEncoder.wanted(16, SpatialShapes.of(16, 16, 8, 8, 4, 4, 2, 2), mini));
        } finally {
            restore(before);
        }
    }

    private static List<float[]> gradients(DeformableDetr detr, String mode, boolean scribble) {
        String before = System.setProperty(CheckpointedEncoder.PROPERTY, mode);
        try (NDManager batch = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(17);
            NDArray images = batch.randomNormal(new Shape(2, 3, 64, 64));
            boolean[] pad = new boolean[2 * 64 * 64];
            for (int i = 64 * 64; i < pad.length; i++) {
                pad[i] = (i % 64) >= 40;
            }
            NDArray mask = batch.create(pad, new Shape(2, 64, 64));
            List<ImageTargets> targets = List.of(
                    new ImageTargets(batch.create(new long[] {0, 2}), batch.create(
                            new float[] {0.3f, 0.4f, 0.2f, 0.3f, 0.7f, 0.6f, 0.3f, 0.5f}, new Shape(2, 4))),
                    new ImageTargets(batch.create(new long[] {1}),
                            batch.create(new float[] {0.5f, 0.5f, 0.6f, 0.4f}, new Shape(1, 4))));
            SetCriterion criterion = new SetCriterion(new HungarianMatcher(new ShortestAugmentingPathSolver()));
            Engine.getInstance().setRandomSeed(29); // the dropout draws
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.zeroGradients();
                NDArray total = new DropoutMasks().record(() -> {
                    DetrOutputs out = detr.forward(new ParameterStore(batch, false), images, mask, null, true);
                    return loss(criterion, out, targets);
                });
                assertEquals(GradientCheckpoint.hasPending(), mode.equals("on"));
                if (scribble) {
                    DirectMemoryScribbler.scribble();
                }
                GradientCheckpoint.backward(total);
                assertFalse(GradientCheckpoint.hasPending());
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
        } finally {
            restore(before);
        }
    }

    private static NDArray loss(SetCriterion criterion, DetrOutputs out, List<ImageTargets> targets) {
        NDArray total = GradientGuard.weightedLoss(criterion, out.logits(), out.boxes(), targets);
        // the memory also feeds a loss directly (as feature distillation does)
        return total.add(Scalars.mul(out.memory().square().mean(), 0.01));
    }

    private static void restore(String before) {
        if (before == null) {
            System.clearProperty(CheckpointedEncoder.PROPERTY);
        } else {
            System.setProperty(CheckpointedEncoder.PROPERTY, before);
        }
    }
}
