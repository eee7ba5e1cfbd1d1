package org.detrkd.detr.detrdistill;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.detrkd.detr.boxes.BoxOps;
import org.detrkd.detr.distill.DistillationInputs;
import org.detrkd.detr.loss.FocalLoss;
import org.detrkd.detr.matching.Assignment;
import org.detrkd.detr.matching.HungarianMatcher.Match;
import org.detrkd.detr.matching.LinearAssignmentSolver;
import org.detrkd.detr.matching.ShortestAugmentingPathSolver;
import org.detrkd.detr.model.DetrOutputs;
import org.detrkd.detr.util.Scalars;

/**
 * Hungarian-matching logits distillation (DETRDistill Sec. 4.1, Eq. 2-4).
 *
 * <p>For every student stage k and its teacher stage t ({@link StageGrouping}), per image: the teacher's M
 * predictions are split into positives and negatives ({@code ld-split}: {@code assignment} = the queries the
 * teacher's own Hungarian matching assigns to ground truth, {@code threshold} = max sigmoid score above
 * {@code ld-threshold}, {@code none} = no split, every teacher prediction is a "positive", as in the released code).
 * Each set is matched one-to-one to the student's N predictions (M >= N allowed: at most N of a set are matched) by
 * the cost
 * <pre>
 *   positives: costClass * C_cls + costBbox * L1(cx,cy,w,h) - costGiou * GIoU
 *   negatives:                     costBbox * L1(cx,cy,w,h) - costGiou * GIoU   (their classes are not distilled)
 * </pre>
 * with {@code C_cls} either the focal cost of the GT matcher at the teacher's top class ({@code focal}: positives
 * are pseudo ground truth) or the soft-target cross-entropy {@code mean_k BCE(s_k, sigmoid(t_k))} ({@code soft-bce},
 * released code). On the matched pairs:
 * <ul>
 *   <li>{@code kd_logits_pos_cls_k}: {@code mean_k [BCE(s_k, p_k) - BCE(t_k, p_k)]}, {@code p = sigmoid(teacher
 *       logits)}, i.e. the binary KL divergence: the released code's soft-target BCE minus the teacher's own entropy,
 *       which has the same gradient and is 0 when the student equals the teacher;</li>
 *   <li>{@code kd_logits_pos_l1_k}, {@code kd_logits_neg_l1_k}: L1 on (cx, cy, w, h);</li>
 *   <li>{@code kd_logits_pos_giou_k}, {@code kd_logits_neg_giou_k}: {@code 1 - GIoU};</li>
 * </ul>
 * each summed over the batch's matched pairs of its set and divided by their number (at least 1), unweighted.
 * Terms switched off ({@code ld-pos-cls}, {@code ld-pos-box}, {@code ld-neg-box}, Tab. 6) are not produced. The
 * teacher's arrays carry no gradient; the matching works on detached copies.
 */
public final class LogitsDistillation {

    private final DetrDistillSettings settings;
    private final LinearAssignmentSolver solver = new ShortestAugmentingPathSolver();

    /** @param settings the options */
    public LogitsDistillation(DetrDistillSettings settings) {
        this.settings = settings;
    }

    /** @return base term name to weight (lambda_1 times the per-term weight) for the enabled terms */
    public Map<String, Double> weights() {
        Map<String, Double> w = new LinkedHashMap<>();
        double l = settings.lambdaLogits();
        if (settings.ldPosCls()) {
            w.put("kd_logits_pos_cls", l * settings.ldWeightCls());
        }
        if (settings.ldPosBox()) {
            w.put("kd_logits_pos_l1", l * settings.ldWeightL1());
            w.put("kd_logits_pos_giou", l * settings.ldWeightGiou());
        }
        if (settings.ldNegBox() && !settings.ldSplit().equals("none")) {
            w.put("kd_logits_neg_l1", l * settings.ldWeightL1());
            w.put("kd_logits_neg_giou", l * settings.ldWeightGiou());
        }
        return w;
    }

    /**
     * @param in teacher and student outputs, targets
     * @return the unweighted terms of every student stage
     */
    public Map<String, NDArray> losses(DistillationInputs in) {
        DetrOutputs t = in.teacher();
        DetrOutputs s = in.student();
        int ls = s.numStages();
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (int k = 0; k < ls; k++) {
            int ts = StageGrouping.teacherStage(k, ls, t.numStages(), settings.ldStages().equals("last"));
            stage(in, k, ts, out);
        }
        return out;
    }

    private void stage(DistillationInputs in, int k, int ts, Map<String, NDArray> out) {
        NDArray tl = in.teacher().logits().get(ts).stopGradient(); // [B, M, K]
        NDArray tb = in.teacher().boxes().get(ts).stopGradient(); // [B, M, 4]
        NDArray sl = in.student().logits().get(k); // [B, N, K]
        NDArray sb = in.student().boxes().get(k); // [B, N, 4]
        Shape ts3 = tl.getShape();
        int b = (int) ts3.get(0);
        int m = (int) ts3.get(1);
        int n = (int) sl.getShape().get(1);
        List<boolean[]> positive = split(in, ts, tl);
        float[][] costs = costs(tl, tb, sl.stopGradient(), sb.stopGradient()); // pos, neg: [B * M * N] each
        List<long[]> pos = new ArrayList<>();
        List<long[]> neg = new ArrayList<>();
        for (int i = 0; i < b; i++) {
            pos.add(match(costs[0], i, m, n, positive.get(i), true));
            neg.add(match(costs[1], i, m, n, positive.get(i), false));
        }
        if (settings.ldPosCls() || settings.ldPosBox()) {
            Pairs p = Pairs.of(pos, m, n);
            if (settings.ldPosCls()) {
                out.put("kd_logits_pos_cls_" + k, classTerm(tl, sl, p, b));
            }
            if (settings.ldPosBox()) {
                NDList box = boxTerms(tb, sb, p, b);
                out.put("kd_logits_pos_l1_" + k, box.get(0));
                out.put("kd_logits_pos_giou_" + k, box.get(1));
            }
        }
        if (settings.ldNegBox() && !settings.ldSplit().equals("none")) {
            NDList box = boxTerms(tb, sb, Pairs.of(neg, m, n), b);
            out.put("kd_logits_neg_l1_" + k, box.get(0));
            out.put("kd_logits_neg_giou_" + k, box.get(1));
        }
    }

    /** Per image, which teacher queries are positives. */
    private List<boolean[]> split(DistillationInputs in, int ts, NDArray tl) {
        int b = (int) tl.getShape().get(0);
        int m = (int) tl.getShape().get(1);
        List<boolean[]> out = new ArrayList<>();
        switch (settings.ldSplit()) {
            case "none" -> {
                for (int i = 0; i < b; i++) {
                    boolean[] all = new boolean[m];
                    java.util.Arrays.fill(all, true);
                    out.add(all);
                }
            }
            case "assignment" -> {
                List<Match> matches = in.teacherMatches(ts);
                for (int i = 0; i < b; i++) {
                    boolean[] p = new boolean[m];
                    for (int q : matches.get(i).queries()) {
                        p[q] = true;
                    }
                    out.add(p);
                }
            }
            default -> {
                float[] score = Activation.sigmoid(tl).max(new int[] {2}).toFloatArray(); // [B * M]
                for (int i = 0; i < b; i++) {
                    boolean[] p = new boolean[m];
                    for (int q = 0; q < m; q++) {
                        p[q] = score[i * m + q] > settings.ldThreshold();
                    }
                    out.add(p);
                }
            }
        }
        return out;
    }

    /** Positive and negative cost matrices {@code [B, M, N]} (detached), read to the host in one copy. */
    private float[][] costs(NDArray tl, NDArray tb, NDArray sl, NDArray sb) {
        int b = (int) tl.getShape().get(0);
        long m = tl.getShape().get(1);
        long n = sl.getShape().get(1);
        long kc = tl.getShape().get(2);
        NDList box = new NDList();
        for (int i = 0; i < b; i++) {
            NDArray t4 = tb.get(i);
            NDArray s4 = sb.get(i);
            NDArray l1 = t4.expandDims(1).sub(s4.expandDims(0)).abs().sum(new int[] {2}); // [M, N]
            NDArray giou = BoxOps.generalizedBoxIou(BoxOps.boxCxcywhToXyxy(t4), BoxOps.boxCxcywhToXyxy(s4));
            box.add(l1.mul(settings.ldCostBbox()).sub(giou.mul(settings.ldCostGiou())));
        }
        NDArray boxCost = NDArrays.stack(box); // [B, M, N]
        NDArray cls;
        if (settings.ldClassCost().equals("soft-bce")) {
            // mean_k softplus(s_jk) - p_ik s_jk (the row constant -H(p_i) does not change the assignment)
            NDArray p = Activation.sigmoid(tl); // [B, M, K]
            NDArray sp = Activation.softPlus(sl).sum(new int[] {2}).expandDims(1); // [B, 1, N]
            cls = sp.sub(p.matMul(sl.transpose(0, 2, 1))).div(kc);
        } else {
            // focal cost of the GT matcher at the teacher's top class: one-hot [B, M, K] x cost [B, K, N]
            NDArray prob = Activation.sigmoid(sl); // [B, N, K]
            float alpha = FocalLoss.DEFAULT_ALPHA;
            float gamma = FocalLoss.DEFAULT_GAMMA;
            NDArray one = prob.neg().add(1f);
            NDArray negCost = prob.pow(gamma).mul(1f - alpha).mul(one.add(1e-8f).log().neg());
            NDArray posCost = one.pow(gamma).mul(alpha).mul(prob.add(1e-8f).log().neg());
            NDArray focal = posCost.sub(negCost).transpose(0, 2, 1); // [B, K, N]
            NDArray top = tl.argMax(2).oneHot((int) kc).toType(DataType.FLOAT32, false); // [B, M, K]
            cls = top.matMul(focal);
        }
        NDArray posCost = boxCost.add(cls.mul(settings.ldCostClass()));
        float[] all = NDArrays.concat(new NDList(posCost.reshape(-1), boxCost.reshape(-1))).toFloatArray();
        int size = (int) (b * m * n);
        return new float[][] {java.util.Arrays.copyOfRange(all, 0, size),
            java.util.Arrays.copyOfRange(all, size, 2 * size)};
    }

    /** Matches image i's teacher rows of one set to its N student columns; returns (teacher, student) pairs. */
    private long[] match(float[] cost, int image, int m, int n, boolean[] positive, boolean wantPositive) {
        int[] rows = java.util.stream.IntStream.range(0, m).filter(q -> positive[q] == wantPositive).toArray();
        if (rows.length == 0) {
            return new long[0];
        }
        double[] block = new double[rows.length * n];
        for (int r = 0; r < rows.length; r++) {
            int base = (image * m + rows[r]) * n;
            for (int c = 0; c < n; c++) {
                block[r * n + c] = cost[base + c];
            }
        }
        Assignment a = solver.solve(block, rows.length, n);
        long[] pairs = new long[2 * a.rows().length];
        for (int p = 0; p < a.rows().length; p++) {
            pairs[2 * p] = rows[a.rows()[p]];
            pairs[2 * p + 1] = a.cols()[p];
        }
        return pairs;
    }

    /** Flat teacher and student row indices of a set's matched pairs over the batch. */
    record Pairs(long[] teacherRows, long[] studentRows) {
        static Pairs of(List<long[]> perImage, int m, int n) {
            int total = perImage.stream().mapToInt(p -> p.length / 2).sum();
            long[] t = new long[total];
            long[] s = new long[total];
            int o = 0;
            for (int i = 0; i < perImage.size(); i++) {
                long[] p = perImage.get(i);
                for (int j = 0; j < p.length / 2; j++, o++) {
                    t[o] = (long) i * m + p[2 * j];
                    s[o] = (long) i * n + p[2 * j + 1];
                }
            }
            return new Pairs(t, s);
        }

        int size() {
            return teacherRows.length;
        }
    }

    private static NDArray classTerm(NDArray tl, NDArray sl, Pairs p, int b) {
        if (p.size() == 0) {
            return Tensors.zeroOf(sl);
        }
        long kc = sl.getShape().get(2);
        NDArray s = Tensors.rows(sl, b * sl.getShape().get(1), p.studentRows());
        NDArray t = Tensors.rows(tl, b * tl.getShape().get(1), p.teacherRows());
        NDArray prob = Activation.sigmoid(t);
        NDArray kl = FocalLoss.binaryCrossEntropyWithLogits(s, prob)
                .sub(FocalLoss.binaryCrossEntropyWithLogits(t, prob));
        return Scalars.div(kl.sum(), (double) kc * p.size());
    }

    private static NDList boxTerms(NDArray tb, NDArray sb, Pairs p, int b) {
        if (p.size() == 0) {
            return new NDList(Tensors.zeroOf(sb), Tensors.zeroOf(sb));
        }
        NDArray s = Tensors.rows(sb, b * sb.getShape().get(1), p.studentRows());
        NDArray t = Tensors.rows(tb, b * tb.getShape().get(1), p.teacherRows());
        NDArray l1 = Scalars.div(s.sub(t).abs().sum(), p.size());
        NDArray g = BoxOps.elementwiseGeneralizedBoxIou(BoxOps.boxCxcywhToXyxy(s), BoxOps.boxCxcywhToXyxy(t));
        NDArray giou = Scalars.div(g.neg().add(1f).sum(), p.size());
        return new NDList(l1, giou);
    }
}
