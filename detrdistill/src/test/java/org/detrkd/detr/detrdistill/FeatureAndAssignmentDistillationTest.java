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

/** Feature and assignment distillation on inputs small enough to compute by hand. */
public class FeatureAndAssignmentDistillationTest {

    private static final HungarianMatcher MATCHER = new HungarianMatcher(new ShortestAugmentingPathSolver());

    /** One image, a 1 x 2 map of width 1, one teacher query Q = [1], F_T = [1, 2], F_S = [0, 0]. */
    private static DistillationInputs tinyMap(NDManager m, float teacherLogit, float[] teacherBox) {
        NDArray logits = m.create(new float[] {teacherLogit}, new Shape(1, 1, 1, 1));
        NDArray boxes = m.create(teacherBox, new Shape(1, 1, 1, 4));
        NDArray ft = m.create(new float[] {1f, 2f}, new Shape(1, 2, 1));
        NDArray mask = m.zeros(new Shape(1, 2), DataType.BOOLEAN);
        DetrOutputs t = new DetrOutputs(logits, boxes, m.create(new float[] {1f}, new Shape(1, 1, 1, 1)),
                m.create(new float[] {1f}, new Shape(1, 1)), null, ft, mask, 1, 2, ft, List.of(), List.of(), null);
        NDArray fs = m.zeros(new Shape(1, 2, 1));
        DetrOutputs s = new DetrOutputs(logits, boxes, null, null, null, fs, mask, 1, 2, fs, List.of(), List.of(),
                null);
        List<ImageTargets> gt = List.of(Outputs.targets(m, new long[] {0}, new float[] {0.5f, 0.5f, 0.2f, 0.2f}));
        return new DistillationInputs(t, s, gt, MATCHER);
    }

    @Test
    public void qualityWeightedMaskFollowsEquation8() {
        try (NDManager m = NDManager.newBaseManager()) {
            // c = 0.64, IoU = 0.01 / 0.04 = 0.25: q = 0.8 * 0.5 = 0.4; psi = [1, 2]; ||F_T - F_S||^2 = [1, 4]
            float logit = (float) Math.log(0.64 / 0.36);
            DistillationInputs in = tinyMap(m, logit, new float[] {0.5f, 0.5f, 0.1f, 0.1f});
            FeatureDistillation fd = new FeatureDistillation(DetrDistillSettings.paper(), null);
            Map<String, NDArray> terms = fd.losses(new ParameterStore(m, false), in, true);
            // (0.4 * 1 * 1 + 0.4 * 4 * 4) / (M d H W = 1 * 1 * 2)
            assertEquals(terms.get("kd_feat").getFloat(), (0.4 * 1 + 0.4 * 16) / 2, 1e-5);
            assertEquals(fd.weights(1), Map.of("kd_feat", 20.0));
            // the selection map the figures draw: W = q psi^2 / M = [0.4, 1.6]
            assertEquals(fd.selectionMaps(in).get("kd_feat").toFloatArray(), new float[] {0.4f, 1.6f}, 1e-5f);
        }
    }

    @Test
    public void uniformMaskFollowsEquation6() {
        try (NDManager m = NDManager.newBaseManager()) {
            DistillationInputs in = tinyMap(m, 0f, new float[] {0.5f, 0.5f, 0.1f, 0.1f});
            FeatureDistillation fd = new FeatureDistillation(DetrDistillSettings.paper().with("fd-mask", "uniform"),
                    null);
            Map<String, NDArray> terms = fd.losses(new ParameterStore(m, false), in, true);
            // psi = mean over the one query = [1, 2]: (1 * 1 + 4 * 4) / (d H W = 2)
            assertEquals(terms.get("kd_feat").getFloat(), 17 / 2.0, 1e-5);
            assertEquals(fd.selectionMaps(in).get("kd_feat").toFloatArray(), new float[] {1f, 4f}, 1e-5f);
        }
    }

    @Test
    public void releasedMaskIsClampedAndMaxNormalised() {
        try (NDManager m = NDManager.newBaseManager()) {
            // one (query, class) pair, c = 0.64, IoU 0.25: q = 0.16; cos(F_T(s), h) = 1 at both positions, so the
            // mask is [0.16, 0.16] / 0.16 = [1, 1] and the loss the plain MSE (1 + 4) / (B S d = 2)
            float logit = (float) Math.log(0.64 / 0.36);
            DistillationInputs in = tinyMap(m, logit, new float[] {0.5f, 0.5f, 0.1f, 0.1f});
            FeatureDistillation fd = new FeatureDistillation(DetrDistillSettings.releasedCode(), null);
            Map<String, NDArray> terms = fd.losses(new ParameterStore(m, false), in, true);
            assertEquals(terms.keySet(), java.util.Set.of("kd_feat_0"));
            assertEquals(terms.get("kd_feat_0").getFloat(), 2.5, 1e-5);
            // a query far from every ground truth: q = 0, the mask clamps at 0.01 everywhere and normalises to 1
            DistillationInputs far = tinyMap(m, logit, new float[] {0.1f, 0.1f, 0.05f, 0.05f});
            assertEquals(fd.losses(new ParameterStore(m, false), far, true).get("kd_feat_0").getFloat(), 2.5, 1e-5);
        }
    }

    @Test
    public void assignmentDistillationUsesTheTeachersAssignment() {
        try (NDManager m = NDManager.newBaseManager()) {
            // teacher: query 1 sits on the ground truth, so the teacher's matching gives it target 0
            NDArray tLogits = m.create(new float[] {-4f, 4f}, new Shape(1, 1, 2, 1));
            NDArray tBoxes = m.create(new float[] {0.2f, 0.2f, 0.1f, 0.1f, 0.5f, 0.5f, 0.2f, 0.2f},
                    new Shape(1, 1, 2, 4));
            DetrOutputs t = new DetrOutputs(tLogits, tBoxes, null, null, null, null, null, 0, 0, null, List.of(),
                    List.of(), null);
            // the student's extra group: query 0 exactly on the ground truth, query 1 shifted by 0.1 in x; a
            // student matching would pick query 0 (zero box loss), the teacher's assignment uses query 1
            NDArray eLogits = m.create(new float[] {0f, 0f}, new Shape(1, 1, 2, 1));
            NDArray eBoxes = m.create(new float[] {0.5f, 0.5f, 0.2f, 0.2f, 0.6f, 0.5f, 0.2f, 0.2f},
                    new Shape(1, 1, 2, 4));
            DetrOutputs s = new DetrOutputs(eLogits, eBoxes, null, null, null, null, null, 0, 0, null, List.of(),
                    List.of(), new DetrOutputs.ExtraGroup(eLogits, eBoxes, null, null));
            List<ImageTargets> gt = List.of(Outputs.targets(m, new long[] {0}, new float[] {0.5f, 0.5f, 0.2f, 0.2f}));
            AssignmentDistillation ad = new AssignmentDistillation(DetrDistillSettings.paper(), null);
            Map<String, NDArray> terms = ad.losses(new DistillationInputs(t, s, gt, MATCHER));
            assertEquals(terms.get("kd_assign_bbox_0").getFloat(), 0.1, 1e-5);
            // boxes [0.4, 0.6]^2 and [0.5, 0.7] x [0.4, 0.6]: IoU = GIoU = 0.02 / 0.06
            assertEquals(terms.get("kd_assign_giou_0").getFloat(), 1 - 0.02 / 0.06, 1e-5);
            // focal loss at logit 0: the matched query (target 1) and the other (target 0), alpha 0.25, gamma 2
            double p = 0.5;
            double pos = 0.25 * Math.pow(1 - p, 2) * Math.log(2);
            double neg = 0.75 * Math.pow(p, 2) * Math.log(2);
            assertEquals(terms.get("kd_assign_ce_0").getFloat(), pos + neg, 1e-5);
            assertEquals(ad.weights(), Map.of("kd_assign_ce", 2.0, "kd_assign_bbox", 5.0, "kd_assign_giou", 2.0));
        }
    }
}
