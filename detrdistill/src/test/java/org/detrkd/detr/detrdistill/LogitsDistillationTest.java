package org.detrkd.detr.detrdistill;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.detrkd.detr.distill.DistillationInputs;
import org.detrkd.detr.matching.HungarianMatcher;
import org.detrkd.detr.matching.ImageTargets;
import org.detrkd.detr.matching.ShortestAugmentingPathSolver;
import org.detrkd.detr.model.DetrOutputs;
import org.testng.annotations.Test;

/** Logits distillation terms on tiny inputs whose matchings and values can be computed by hand. */
public class LogitsDistillationTest {

    private static final HungarianMatcher MATCHER = new HungarianMatcher(new ShortestAugmentingPathSolver());

    /** 0.2 x 0.2 boxes shifted by 0.02 along one axis: IoU = GIoU = 0.036 / 0.044. */
    private static final double SHIFTED_GIOU = 0.036 / 0.044;

    @Test
    public void releasedPresetMatchesAllTeacherPredictionsOneToOne() {
        try (NDManager m = NDManager.newBaseManager()) {
            // teacher: t0 at (0.2, 0.2), t1 at (0.7, 0.7); student in the other order, each shifted by 0.02
            DetrOutputs t = Outputs.of(m, new float[] {2f, -1f},
                    new float[] {0.2f, 0.2f, 0.2f, 0.2f, 0.7f, 0.7f, 0.2f, 0.2f}, 1, 1, 2, 1);
            DetrOutputs s = Outputs.of(m, new float[] {0f, 1f},
                    new float[] {0.72f, 0.7f, 0.2f, 0.2f, 0.2f, 0.22f, 0.2f, 0.2f}, 1, 1, 2, 1);
            List<ImageTargets> gt = List.of(Outputs.targets(m, new long[] {0}, new float[] {0.5f, 0.5f, 0.2f, 0.2f}));
            LogitsDistillation ld = new LogitsDistillation(DetrDistillSettings.releasedCode());
            Map<String, NDArray> terms = ld.losses(new DistillationInputs(t, s, gt, MATCHER));
            assertEquals(new TreeSet<>(terms.keySet()).toString(),
                    "[kd_logits_pos_cls_0, kd_logits_pos_giou_0, kd_logits_pos_l1_0]");
            // pairs (t0, s1) and (t1, s0)
            assertEquals(terms.get("kd_logits_pos_l1_0").getFloat(), 0.02, 1e-5);
            assertEquals(terms.get("kd_logits_pos_giou_0").getFloat(), 1 - SHIFTED_GIOU, 1e-5);
            double cls = (Outputs.kl(1, 2) + Outputs.kl(0, -1)) / 2;
            assertEquals(terms.get("kd_logits_pos_cls_0").getFloat(), cls, 1e-5);
            assertEquals(ld.weights(), Map.of("kd_logits_pos_cls", 1.0, "kd_logits_pos_l1", 5.0,
                    "kd_logits_pos_giou", 2.0));
        }
    }

    @Test
    public void paperPresetSplitsByTheTeachersAssignment() {
        try (NDManager m = NDManager.newBaseManager()) {
            // teacher: t1 sits on the ground truth with a high score (its own matching makes it the positive)
            DetrOutputs t = Outputs.of(m, new float[] {-3f, 4f, -2f}, new float[] {0.2f, 0.2f, 0.2f, 0.2f,
                0.5f, 0.5f, 0.2f, 0.2f, 0.8f, 0.8f, 0.2f, 0.2f}, 1, 1, 3, 1);
            DetrOutputs s = Outputs.of(m, new float[] {0.5f, -1f}, new float[] {0.5f, 0.52f, 0.2f, 0.2f,
                0.8f, 0.8f, 0.2f, 0.2f}, 1, 1, 2, 1);
            List<ImageTargets> gt = List.of(Outputs.targets(m, new long[] {0}, new float[] {0.5f, 0.5f, 0.2f, 0.2f}));
            LogitsDistillation ld = new LogitsDistillation(DetrDistillSettings.paper());
            Map<String, NDArray> terms = ld.losses(new DistillationInputs(t, s, gt, MATCHER));
            // positive t1 -> s0 (shift 0.02); negatives t2 -> s1 (identical), t0 -> s0 (disjoint)
            assertEquals(terms.get("kd_logits_pos_l1_0").getFloat(), 0.02, 1e-5);
            assertEquals(terms.get("kd_logits_pos_giou_0").getFloat(), 1 - SHIFTED_GIOU, 1e-5);
            assertEquals(terms.get("kd_logits_pos_cls_0").getFloat(), Outputs.kl(0.5, 4), 1e-5);
            assertEquals(terms.get("kd_logits_neg_l1_0").getFloat(), (0 + 0.3 + 0.32) / 2, 1e-5);
            // t0 = [0.1, 0.3]^2, s0 = [0.4, 0.6] x [0.42, 0.62]: GIoU = 0 - (0.26 - 0.08) / 0.26
            double giouT0S0 = -(0.26 - 0.08) / 0.26;
            assertEquals(terms.get("kd_logits_neg_giou_0").getFloat(), (0 + 1 - giouT0S0) / 2, 1e-5);
        }
    }

    @Test
    public void switchedOffTermsAreNotProduced() {
        try (NDManager m = NDManager.newBaseManager()) {
            DetrOutputs t = Outputs.of(m, new float[] {-3f, 4f}, new float[] {0.2f, 0.2f, 0.2f, 0.2f,
                0.5f, 0.5f, 0.2f, 0.2f}, 1, 1, 2, 1);
            List<ImageTargets> gt = List.of(Outputs.targets(m, new long[] {0}, new float[] {0.5f, 0.5f, 0.2f, 0.2f}));
            DetrDistillSettings s = DetrDistillSettings.paper().with("ld-pos-cls", "false").with("ld-neg-box", "false");
            LogitsDistillation ld = new LogitsDistillation(s);
            Map<String, NDArray> terms = ld.losses(new DistillationInputs(t, t, gt, MATCHER));
            assertEquals(new TreeSet<>(terms.keySet()).toString(), "[kd_logits_pos_giou_0, kd_logits_pos_l1_0]");
            assertEquals(new TreeSet<>(ld.weights().keySet()).toString(), "[kd_logits_pos_giou, kd_logits_pos_l1]");
        }
    }

    @Test
    public void teacherEqualToStudentGivesZeroLoss() {
        try (NDManager m = NDManager.newBaseManager()) {
            m.getEngine().setRandomSeed(4);
            int l = 2;
            int b = 2;
            int q = 6;
            int k = 3;
            NDArray logits = m.randomNormal(new Shape(l, b, q, k));
            NDArray boxes = m.randomUniform(0.2f, 0.4f, new Shape(l, b, q, 4)).add(
                    m.randomUniform(0f, 0.4f, new Shape(1, 1, q, 4)));
            DetrOutputs t = new DetrOutputs(logits, boxes, null, null, null, null, null, 0, 0, null, List.of(),
                    List.of(), null);
            List<ImageTargets> gt = List.of(
                    Outputs.targets(m, new long[] {0, 2}, new float[] {0.4f, 0.4f, 0.3f, 0.3f, 0.6f, 0.6f, 0.2f, 0.2f}),
                    Outputs.targets(m, new long[] {1}, new float[] {0.5f, 0.5f, 0.4f, 0.4f}));
            for (DetrDistillSettings s : List.of(DetrDistillSettings.paper(), DetrDistillSettings.releasedCode(),
                    DetrDistillSettings.paper().with("ld-split", "threshold").with("ld-threshold", "0.5"))) {
                Map<String, NDArray> terms = new LogitsDistillation(s).losses(new DistillationInputs(t, t, gt, MATCHER));
                assertTrue(terms.size() >= 3 * l, s.preset() + " " + terms.keySet());
                for (Map.Entry<String, NDArray> e : terms.entrySet()) {
                    assertEquals(e.getValue().getFloat(), 0f, 1e-5f, s.ldSplit() + " " + e.getKey());
                }
            }
        }
    }

    @Test
    public void fewerStudentStagesFollowTheGrouping() {
        assertEquals(StageGrouping.teacherStage(0, 3, 6, false), 1);
        assertEquals(StageGrouping.teacherStage(1, 3, 6, false), 3);
        assertEquals(StageGrouping.teacherStage(2, 3, 6, false), 5);
        assertEquals(StageGrouping.teacherStage(2, 3, 3, false), 2);
        assertEquals(StageGrouping.teacherStage(0, 3, 6, true), 5);
        assertEquals(StageGrouping.teacherStage(3, 4, 6, false), 5);
        assertEquals(StageGrouping.teacherStage(0, 4, 6, false), 0);
        assertEquals(StageGrouping.teacherStage(1, 4, 6, false), 2);
    }
}
