package org.detrkd.detr.detrdistill;

import static org.testng.Assert.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.List;
import java.util.Map;
import org.detrkd.detr.distill.DistillationInputs;
import org.detrkd.detr.matching.HungarianMatcher;
import org.detrkd.detr.matching.ImageTargets;
import org.detrkd.detr.matching.ShortestAugmentingPathSolver;
import org.detrkd.detr.model.DetrOutputs;
import org.testng.annotations.Test;

/**
 * Feature distillation on AdaMixer-shaped outputs (no encoder: the neck levels, flattened) and the AdaMixer form of
 * the assignment group, on values small enough to compute by hand.
 */
public class NeckLevelDistillationTest {

    /**
     * One image, width d 1, two neck levels 1 x 2 (F_T = [1, 2], F_S = [0, 0]) and 1 x 1 (F_T = [3], F_S = [1]), the
     * second cell of level 0 padding; one query with content Q = [2] and initial box (0.5, 0.5, 1, 1). The memory
     * holds the finest level only (as AdaMixer's), which the neck-level variant must not read.
     */
    private static DistillationInputs adaMixerLike(NDManager m) {
        NDArray logits = m.zeros(new Shape(1, 1, 1, 1));
        NDArray boxes = m.create(new float[] {0.5f, 0.5f, 0.2f, 0.2f}, new Shape(1, 1, 1, 4));
        List<NDArray> ft = List.of(m.create(new float[] {1f, 2f}, new Shape(1, 1, 1, 2)),
                m.create(new float[] {3f}, new Shape(1, 1, 1, 1)));
        List<NDArray> fs = List.of(m.zeros(new Shape(1, 1, 1, 2)), m.create(new float[] {1f}, new Shape(1, 1, 1, 1)));
        List<NDArray> masks = List.of(m.create(new boolean[] {false, true}, new Shape(1, 1, 2)),
                m.zeros(new Shape(1, 1, 1), DataType.BOOLEAN));
        NDArray memMask = masks.get(0).reshape(1, 2);
        NDArray query = m.create(new float[] {2f}, new Shape(1, 1));
        NDArray queryBoxes = m.create(new float[] {0.5f, 0.5f, 1f, 1f}, new Shape(1, 4));
        DetrOutputs t = new DetrOutputs(logits, boxes, m.zeros(new Shape(1, 1, 1, 1)), query, null,
                m.create(new float[] {1f, 2f}, new Shape(1, 2, 1)), memMask, 1, 2, null, ft, masks, null, queryBoxes);
        DetrOutputs s = new DetrOutputs(logits, boxes, null, null, null, m.zeros(new Shape(1, 2, 1)), memMask, 1, 2,
                null, fs, masks, null);
        List<ImageTargets> gt = List.of(Outputs.targets(m, new long[] {0}, new float[] {0.5f, 0.5f, 0.2f, 0.2f}));
        return new DistillationInputs(t, s, gt, new HungarianMatcher(new ShortestAugmentingPathSolver()));
    }

    @Test
    public void uniformMaskOverAllNeckLevels() {
        try (NDManager m = NDManager.newBaseManager()) {
            FeatureDistillation fd = new FeatureDistillation(DetrDistillSettings.paper().with("fd-mask", "uniform"),
                    null, true);
            Map<String, NDArray> terms = fd.losses(new ParameterStore(m, false), adaMixerLike(m), true);
            // S = 2 + 1 cells; psi = F_T * 2 = [2, 4, 6], W = psi^2 = [4, (16: padding -> 0), 36];
            // ||F_T - F_S||^2 = [1, 4, 4]: (4 * 1 + 0 + 36 * 4) / (B d S = 3)
            assertEquals(terms.get("kd_feat").getFloat(), (4.0 + 144.0) / 3, 1e-4);
            // the encoder variant reads the memory (the finest level alone): (4 * 1 + 0) / 2
            FeatureDistillation memory = new FeatureDistillation(
                    DetrDistillSettings.paper().with("fd-mask", "uniform"), null, false);
            assertEquals(memory.losses(new ParameterStore(m, false), adaMixerLike(m), true).get("kd_feat").getFloat(),
                    4.0 / 2, 1e-5);
        }
    }

    @Test
    public void assignmentGroupIsContentThenInitialBox() {
        try (NDManager m = NDManager.newBaseManager()) {
            DistillationInputs in = adaMixerLike(m);
            NDArray group = new AssignmentDistillation(DetrDistillSettings.paper(), null, 4)
                    .extraQueries(new ParameterStore(m, false), in.teacher());
            assertEquals(group.getShape(), new Shape(1, 5));
            assertEquals(group.toFloatArray(), new float[] {2f, 0.5f, 0.5f, 1f, 1f});
        }
    }
}
