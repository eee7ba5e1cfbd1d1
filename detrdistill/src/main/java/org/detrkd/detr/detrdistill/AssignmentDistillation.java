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
 * Query-prior assignment distillation (DETRDistill Sec. 4.3, Eq. 9). The teacher's M queries (its query prior, in
 * the form of the detector's {@code extraQueries}, see {@link #extraQueries}) enter the student decoder as an extra
 * query group (isolated from the student's own queries by the self-attention mask; through a learned linear adapter
 * when the widths differ), during training
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
    private final int boxColumns;
    private final SetCriterion criterion = new SetCriterion(new HungarianMatcher(new ShortestAugmentingPathSolver()));

    /**
     * For detectors whose query prior is all vector (Conditional and Deformable DETR).
     *
     * @param settings the options
     * @param adapter linear map from the teacher's width to the student's, or null when they agree
     */
    public AssignmentDistillation(DetrDistillSettings settings, Linear adapter) {
        this(settings, adapter, 0);
    }

    /**
     * @param settings the options
     * @param adapter linear map from the teacher's vector part to the student's, or null when the widths agree
     * @param boxColumns trailing box columns of the query prior that pass the adapter unchanged (AdaMixer: 4, its
     *     normalised initial boxes; 0 otherwise)
     */
    public AssignmentDistillation(DetrDistillSettings settings, Linear adapter, int boxColumns) {
        this.settings = settings;
        this.adapter = adapter;
        this.boxColumns = boxColumns;
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
     * The teacher's query prior ({@code DetrOutputs.queryPrior()}, detached) in the form of the student's extra group:
     * Conditional DETR {@code [M, d]} (the query embeddings: its decoder derives reference points and positional
     * queries from them, content starts at zero); Deformable DETR {@code [M, 2d]} (query_pos then content: the
     * decoder derives the reference points from query_pos, so both halves together are the teacher's prior);
     * AdaMixer {@code [M, d + 4]} (content vectors then the learned initial boxes, which the student turns into its
     * (x, y, z, r) positions on its own image exactly as the teacher does: AdaMixer's query IS content plus
     * position, there is no embedding to feed without the box). With different widths the vector part goes through
     * the learned adapter ({@code d_T -> d_S}, or {@code 2d_T -> 2d_S}), the boxes pass unchanged.
     *
     * @param ps the student's store (for the adapter)
     * @param teacher the teacher's outputs
     * @return {@code [M, w_S]} with {@code w_S} the student's query-prior width
     */
    public NDArray extraQueries(ParameterStore ps, DetrOutputs teacher) {
        NDArray q = teacher.queryPrior().stopGradient(); // [M, w_T]
        if (adapter == null) {
            return q;
        }
        long w = q.getShape().get(1);
        NDArray vec = boxColumns == 0 ? q : q.get(":, :" + (w - boxColumns));
        NDArray mapped = adapter.forward(ps, new NDList(vec), true).singletonOrThrow();
        return boxColumns == 0 ? mapped : mapped.concat(q.get(":, " + (w - boxColumns) + ":"), 1);
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
