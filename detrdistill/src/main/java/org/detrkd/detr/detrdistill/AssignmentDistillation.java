package org.detrkd.detr.detrdistill;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.detrkd.detr.distill.DistillationInputs;
import org.detrkd.detr.loss.SetCriterion;
import org.detrkd.detr.matching.HungarianMatcher;
import org.detrkd.detr.matching.HungarianMatcher.Match;
import org.detrkd.detr.matching.ShortestAugmentingPathSolver;
import org.detrkd.detr.model.DetrOutputs;

/**
 * Query-prior assignment distillation (DETRDistill Sec. 4.3, Eq. 9). The teacher's M query embeddings enter the
 * student decoder as an extra query group (Conditional DETR's {@code extraQueries}, isolated from the student's own
 * queries by the self-attention mask; through a learned linear adapter when the widths differ), during training
 * only: evaluation uses the student's own queries. The extra group's prediction of query i takes the ground truth
 * that the TEACHER's Hungarian matching gave to teacher query i; no matching of the student is involved. Per student
 * stage k, with the teacher stage {@code L_T - 1} ({@code ad-assignment final}: the paper's single assignment
 * sigma^T) or the grouped stage of {@link StageGrouping} ({@code per-stage}: the released code):
 * {@code kd_assign_ce_k} (sigmoid focal), {@code kd_assign_bbox_k} (L1), {@code kd_assign_giou_k} (1 - GIoU), each
 * normalised by the number of target boxes, as the detection terms; weights {@code lambda_3 x (2, 5, 2)}.
 *
 * <p>{@code ad-pass second} (the released code runs the whole student transformer a second time with the teacher's
 * queries) is computed exactly like {@code joint} here: the encoder output does not depend on the queries, the two
 * groups cannot attend to each other, and the detectors' decoders are deterministic at dropout 0 (the mini presets),
 * so a second pass would produce the same numbers at a higher cost. With dropout > 0 the second pass would draw other
 * dropout masks for the decoder; that difference is not reproduced.
 *
 * <p>The teacher's query embeddings are detached before the adapter, so the adapter (when the widths differ) learns
 * and nothing flows into the teacher.
 */
public final class AssignmentDistillation {

    private final DetrDistillSettings settings;
    private final Linear adapter;
    private final SetCriterion criterion = new SetCriterion(new HungarianMatcher(new ShortestAugmentingPathSolver()));

    /**
     * @param settings the options
     * @param adapter linear map from the teacher's width to the student's, or null when they agree
     */
    public AssignmentDistillation(DetrDistillSettings settings, Linear adapter) {
        this.settings = settings;
        this.adapter = adapter;
    }

    /** @return base term name to weight */
    public Map<String, Double> weights() {
        Map<String, Double> w = new LinkedHashMap<>();
        w.put("kd_assign_ce", settings.lambdaAssign() * SetCriterion.defaultWeight("loss_ce"));
        w.put("kd_assign_bbox", settings.lambdaAssign() * SetCriterion.defaultWeight("loss_bbox"));
        w.put("kd_assign_giou", settings.lambdaAssign() * SetCriterion.defaultWeight("loss_giou"));
        return w;
    }

    /**
     * @param ps the student's store (for the adapter)
     * @param teacher the teacher's outputs
     * @return the teacher's query embeddings in the student's width {@code [M, d_S]}
     */
    public NDArray extraQueries(ParameterStore ps, DetrOutputs teacher) {
        NDArray q = teacher.queryEmbed().stopGradient(); // [M, d_T]
        return adapter == null ? q : adapter.forward(ps, new NDList(q), true).singletonOrThrow();
    }

    /**
     * @param in teacher and student outputs (the student's with the extra group), targets
     * @return the terms of every student stage; none when the student decoded no extra group (evaluation)
     */
    public Map<String, NDArray> losses(DistillationInputs in) {
        DetrOutputs s = in.student();
        Map<String, NDArray> out = new LinkedHashMap<>();
        if (!s.hasExtra()) {
            return out;
        }
        int lt = in.teacher().numStages();
        int ls = s.numStages();
        float numBoxes = SetCriterion.numBoxes(in.targets());
        for (int k = 0; k < ls; k++) {
            int ts = settings.adAssignment().equals("final") ? lt - 1 : StageGrouping.teacherStage(k, ls, lt, false);
            List<Match> sigma = in.teacherMatches(ts);
            out.put("kd_assign_ce_" + k, criterion.lossLabels(s.extra().logits().get(k), in.targets(), sigma,
                    numBoxes));
            NDList box = criterion.lossBoxes(s.extra().boxes().get(k), in.targets(), sigma, numBoxes);
            out.put("kd_assign_bbox_" + k, box.get(0));
            out.put("kd_assign_giou_" + k, box.get(1));
        }
        return out;
    }
}
