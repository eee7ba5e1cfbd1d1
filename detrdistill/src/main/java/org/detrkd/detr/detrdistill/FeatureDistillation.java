package org.detrkd.detr.detrdistill;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.detrkd.detr.boxes.BoxOps;
import org.detrkd.detr.distill.DistillationInputs;
import org.detrkd.detr.matching.HungarianMatcher.Match;
import org.detrkd.detr.matching.ImageTargets;
import org.detrkd.detr.model.DetrOutputs;
import org.detrkd.detr.util.Scalars;

/**
 * Target-aware feature distillation (DETRDistill Sec. 4.2, Eq. 5-8) on the encoder output ({@code fd-feature
 * memory}, the paper's choice for Conditional/Deformable DETR, Sec. 5 footnote) or the encoder input
 * ({@code encoder-input}, the "neck output" the released code distils); for AdaMixer, which has no encoder, on the
 * multi-level neck maps its queries sample from (the FPN features of the paper's Fig. 6). Feature maps are
 * {@code [B, S, d]} with {@code S = H W} (Deformable DETR's memory and AdaMixer's levels: all levels flattened,
 * {@code S = sum H_l W_l}); {@code Q_i} of Eq. 6 is the first {@code d} columns of the teacher's query prior
 * ({@link #queryVectors}); the student's map goes through a learned linear adapter {@code phi} (the 1x1 convolution of
 * Eq. 5) when its width differs from the teacher's, and is used as is otherwise.
 *
 * <p>Every variant is {@code sum_{b,s} W[b,s] ||F_T[b,s] - phi(F_S)[b,s]||^2 / (B d S)} with a detached weight map
 * {@code W} computed from the teacher alone (padding positions get weight 0):
 * <ul>
 *   <li>{@code quality} (Eq. 8): {@code W = (1/M) sum_i q_i psi_i^2}, {@code psi_i = F_T . Q_i} with {@code Q_i}
 *       the teacher's i-th query embedding, {@code q_i = c_i^gamma IoU(b_gt, b_i)^(1-gamma)} where {@code c_i} is the
 *       teacher's top class score of query i (final stage) and {@code b_gt} the ground truth the teacher's own
 *       final-stage Hungarian matching assigns to it; unmatched queries have {@code q_i = 0};</li>
 *   <li>{@code uniform} (Eq. 6, Tab. 2): {@code W = ((1/M) sum_i psi_i)^2};</li>
 *   <li>{@code released}: per teacher stage l, the top-{@code fd-topk} (query, class) pairs by sigmoid score,
 *       {@code q = c * max_gt IoU}, {@code mask = sum_j q_j cos(F_T, h_j)} with {@code h_j} the teacher's stage-l
 *       hidden state, clamped below at 0.01 and divided by its maximum; {@code W = mask^2} (the released code's mean
 *       squared error of {@code mask * F_T} and {@code mask * F_S}); one term {@code kd_feat_l} per teacher stage.</li>
 * </ul>
 * The paper's variants give one term {@code kd_feat}. Eq. 8's {@code 1/(M d H W)} is per image; the batch mean is
 * taken on top.
 */
public final class FeatureDistillation {

    private static final String TERM = "kd_feat";

    private final DetrDistillSettings settings;
    private final Linear adapter;
    private final boolean neckLevels;

    /**
     * Distillation of the encoder output or input (Conditional and Deformable DETR).
     *
     * @param settings the options
     * @param adapter {@code phi}, a linear map from the student's width to the teacher's, or null when they agree
     */
    public FeatureDistillation(DetrDistillSettings settings, Linear adapter) {
        this(settings, adapter, false);
    }

    /**
     * @param settings the options
     * @param adapter {@code phi}, a linear map from the student's width to the teacher's, or null when they agree
     * @param neckLevels true for a detector without an encoder (AdaMixer): distil all the multi-level maps it samples
     *     from ({@code DetrOutputs.features}, its neck levels, flattened into one {@code [B, S, d]} sequence with
     *     {@code S = sum H_l W_l}), whatever {@code fd-feature} says: both of its choices name maps AdaMixer does not
     *     have, and the paper (Sec. 4.2, Fig. 6) distils the FPN features for such a detector
     */
    public FeatureDistillation(DetrDistillSettings settings, Linear adapter, boolean neckLevels) {
        this.settings = settings;
        this.adapter = adapter;
        this.neckLevels = neckLevels;
    }

    /**
     * @param teacherStages L_T (the released variant has one term per teacher stage)
     * @return base term name to weight (lambda_2)
     */
    public Map<String, Double> weights(int teacherStages) {
        return Map.of(TERM, settings.lambdaFeature());
    }

    /**
     * @param ps the student's store (for the adapter)
     * @param in teacher and student outputs, targets
     * @param training training mode of the adapter
     * @return {@code kd_feat}, or {@code kd_feat_l} per teacher stage in the released variant
     */
    public Map<String, NDArray> losses(ParameterStore ps, DistillationInputs in, boolean training) {
        DetrOutputs t = in.teacher();
        NDArray ft = teacherMap(t);
        boolean input = settings.fdFeature().equals("encoder-input");
        NDArray fs = neckLevels ? flatten(in.student().features()) : input ? in.student().encoderInput()
                : in.student().memory(); // [B, S, dS]; ft [B, S, dT]
        if (ft.getShape().get(1) != fs.getShape().get(1)) {
            throw new IllegalArgumentException("feature distillation needs maps of the same size: teacher "
                    + ft.getShape() + ", student " + fs.getShape());
        }
        NDArray mapped = adapter == null ? fs : adapter.forward(ps, new NDList(fs), training).singletonOrThrow();
        NDArray d2 = ft.sub(mapped).square().sum(new int[] {2}); // [B, S]
        Shape s = ft.getShape();
        double norm = (double) s.get(0) * s.get(1) * s.get(2);
        Map<String, NDArray> out = new LinkedHashMap<>();
        weightMaps(in, ft).forEach((term, w) -> out.put(term, Scalars.div(d2.mul(w).sum(), norm)));
        return out;
    }

    /**
     * The selection weights {@code W} of the configured variant, per loss term (see the class comment), computed from
     * the teacher alone: what the paper draws in Fig. 4 and 6.
     *
     * @param in the teacher's outputs and the targets (the student's outputs are not read)
     * @return per term ({@code kd_feat}, or {@code kd_feat_l} per teacher stage in the released variant) the detached
     *     map {@code [B, S]}, 0 on padding; {@code S} as {@link #firstLevel} describes
     */
    public Map<String, NDArray> selectionMaps(DistillationInputs in) {
        return weightMaps(in, teacherMap(in.teacher()));
    }

    /**
     * @param t a teacher's outputs
     * @return {@code {H, W}} of the first (finest) level of the distilled map: its first {@code H x W} positions, in
     *     row-major order (Conditional DETR's only level; Deformable DETR's and AdaMixer's first of several)
     */
    public int[] firstLevel(DetrOutputs t) {
        if (neckLevels) {
            Shape s = t.features().get(0).getShape();
            return new int[] {(int) s.get(2), (int) s.get(3)};
        }
        return new int[] {t.memoryHeight(), t.memoryWidth()};
    }

    /** The teacher's distilled map {@code [B, S, dT]}, detached. */
    private NDArray teacherMap(DetrOutputs t) {
        boolean input = settings.fdFeature().equals("encoder-input");
        return (neckLevels ? flatten(t.features()) : input ? t.encoderInput() : t.memory()).stopGradient();
    }

    /** {@code W} per term, {@code [B, S]}, 0 on padding. */
    private Map<String, NDArray> weightMaps(DistillationInputs in, NDArray ft) {
        DetrOutputs t = in.teacher();
        NDArray padding = neckLevels ? flatten(t.featureMasks()) : t.memoryMask();
        NDArray valid = padding.logicalNot().toType(ft.getDataType(), false); // [B, S]
        NDArray queries = queryVectors(t, (int) ft.getShape().get(2)); // [M, dT]
        Map<String, NDArray> out = new LinkedHashMap<>();
        switch (settings.fdMask()) {
            case "released" -> {
                for (int l = 0; l < t.numStages(); l++) {
                    out.put(TERM + "_" + l, releasedMask(t, ft, l, in.targets()).square().mul(valid));
                }
            }
            case "uniform" -> {
                NDArray psi = ft.matMul(queries.transpose()).mean(new int[] {2}); // [B, S]
                out.put(TERM, psi.square().mul(valid));
            }
            default -> {
                NDArray psi2 = ft.matMul(queries.transpose()).square(); // [B, S, M]
                NDArray q = quality(t, in); // [B, M, 1]
                long m = q.getShape().get(1);
                out.put(TERM, psi2.matMul(q).squeeze(2).div(m).mul(valid));
            }
        }
        return out;
    }

    /**
     * The teacher's query vectors {@code Q_i} of Eq. 6, the first {@code d} columns of its query prior: Conditional
     * DETR's query embeddings, Deformable DETR's query positions (the first half of its {@code [M, 2d]} embedding),
     * AdaMixer's content vectors (its queries have no positional vector; the other 4 columns are the box).
     */
    static NDArray queryVectors(DetrOutputs t, int d) {
        NDArray q = t.queryEmbed();
        return q.getShape().get(1) == d ? q : q.get(":, :" + d);
    }

    /**
     * @param levels per level {@code [B, C, H_l, W_l]} (or padding masks {@code [B, H_l, W_l]})
     * @return {@code [B, S, C]} (masks: {@code [B, S]}), levels in order, each row-major over {@code H_l x W_l}
     */
    static NDArray flatten(List<NDArray> levels) {
        NDList flat = new NDList();
        for (NDArray a : levels) {
            Shape s = a.getShape();
            flat.add(s.dimension() == 3 ? a.reshape(s.get(0), s.get(1) * s.get(2))
                    : a.reshape(s.get(0), s.get(1), s.get(2) * s.get(3)).transpose(0, 2, 1));
        }
        return flat.size() == 1 ? flat.get(0) : NDArrays.concat(flat, 1);
    }

    /** Eq. 7 per teacher query of the final stage, {@code [B, M, 1]}, detached. */
    private NDArray quality(DetrOutputs t, DistillationInputs in) {
        int last = t.numStages() - 1;
        NDArray logits = t.logits().get(last);
        int b = (int) logits.getShape().get(0);
        int m = (int) logits.getShape().get(1);
        float[] score = Activation.sigmoid(logits).max(new int[] {2}).toFloatArray();
        List<Match> matches = in.teacherMatches(last);
        float[] q = new float[b * m];
        NDManager mgr = logits.getManager();
        for (int i = 0; i < b; i++) {
            Match mt = matches.get(i);
            if (mt.size() == 0) {
                continue;
            }
            NDArray pred = Tensors.rows(t.boxes().get(last).get(i), m, toLong(mt.queries()));
            NDArray gt = Tensors.rows(in.targets().get(i).boxes(), in.targets().get(i).size(), toLong(mt.targets()));
            float[] iou = diagonalIou(pred, gt);
            for (int j = 0; j < mt.size(); j++) {
                int qi = mt.queries()[j];
                q[i * m + qi] = (float) (Math.pow(score[i * m + qi], settings.fdGamma())
                        * Math.pow(iou[j], 1 - settings.fdGamma()));
            }
        }
        return mgr.create(q, new Shape(b, m, 1)).duplicate();
    }

    /** The released code's mask of teacher stage l, {@code [B, S]}, detached, in (0, 1]. */
    private NDArray releasedMask(DetrOutputs t, NDArray ft, int l, List<ImageTargets> targets) {
        NDArray logits = t.logits().get(l); // [B, M, K]
        int b = (int) logits.getShape().get(0);
        int m = (int) logits.getShape().get(1);
        int k = (int) logits.getShape().get(2);
        int top = Math.min(settings.fdTopK(), m * k);
        NDList masks = new NDList();
        NDArray fn = ft.div(ft.norm(new int[] {2}, true).maximum(1e-8f)); // [B, S, d] unit rows
        for (int i = 0; i < b; i++) {
            NDList best = Activation.sigmoid(logits.get(i)).reshape(-1).topK(top, 0, true, true);
            float[] c = best.get(0).toFloatArray();
            long[] flat = best.get(1).toLongArray();
            long[] query = new long[top];
            for (int j = 0; j < top; j++) {
                query[j] = flat[j] / k;
            }
            float[] maxIou = new float[top];
            if (targets.get(i).size() > 0) {
                NDArray boxes = Tensors.rows(t.boxes().get(l).get(i), m, query);
                try (BoxOps.IouAndUnion iu = BoxOps.boxIou(BoxOps.boxCxcywhToXyxy(boxes),
                        BoxOps.boxCxcywhToXyxy(targets.get(i).boxes()))) {
                    maxIou = iu.iou().max(new int[] {1}).toFloatArray();
                }
            }
            float[] q = new float[top];
            for (int j = 0; j < top; j++) {
                q[j] = c[j] * maxIou[j];
            }
            NDArray h = Tensors.rows(t.hidden().get(l).get(i), m, query); // [top, d]
            NDArray hn = h.div(h.norm(new int[] {1}, true).maximum(1e-8f));
            NDArray qa = ft.getManager().create(q, new Shape(top, 1)).duplicate();
            NDArray mask = fn.get(i).matMul(hn.transpose()).matMul(qa).squeeze(1).maximum(0.01f); // [S]
            masks.add(mask.div(mask.max()));
        }
        return NDArrays.stack(masks);
    }

    private static float[] diagonalIou(NDArray a, NDArray b) {
        try (BoxOps.IouAndUnion iu = BoxOps.boxIou(BoxOps.boxCxcywhToXyxy(a), BoxOps.boxCxcywhToXyxy(b))) {
            float[] all = iu.iou().toFloatArray();
            int n = (int) a.getShape().get(0);
            float[] d = new float[n];
            for (int j = 0; j < n; j++) {
                d[j] = all[j * n + j];
            }
            return d;
        }
    }

    private static long[] toLong(int[] v) {
        long[] out = new long[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i];
        }
        return out;
    }
}
