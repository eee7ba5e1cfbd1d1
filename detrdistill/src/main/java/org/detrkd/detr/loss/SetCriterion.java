package org.detrkd.detr.loss;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.detrkd.detr.boxes.BoxOps;
import org.detrkd.detr.engine.ReplicaContext;
import org.detrkd.detr.matching.HungarianMatcher;
import org.detrkd.detr.matching.HungarianMatcher.Match;
import org.detrkd.detr.matching.ImageTargets;
import org.detrkd.detr.util.Scalars;

/**
 * DETR's set criterion with Deformable-DETR's focal classification ({@code models/deformable_detr.py}
 * {@code SetCriterion}, commit 11169a6): every decoder stage is matched to the targets on its own by the
 * {@link HungarianMatcher}, then scored on the matched pairs.
 *
 * <ul>
 *   <li>{@code loss_ce} ({@link #lossLabels}): sigmoid focal loss against one-hot targets at the matched
 *       (query, label) entries, all other entries 0 (no "no-object" class), summed over [B, Q, K] / num_boxes.
 *   <li>{@code loss_bbox} ({@link #lossBoxes}): L1 on cx, cy, w, h of matched pairs, summed / num_boxes.
 *   <li>{@code loss_giou}: 1 - GIoU of matched pairs, summed / num_boxes.
 * </ul>
 *
 * num_boxes is the number of target boxes in the batch, at least 1. Terms of the last stage (the final output) are
 * named {@code loss_ce, loss_bbox, loss_giou}; auxiliary stage k gets the suffix {@code _k}. The terms are returned
 * UNWEIGHTED: weights are applied in one place by the training engine ({@link #defaultWeight} gives DETR's).
 *
 * <p>Memory: the returned terms belong to the manager of the predictions (and join the caller's {@code NDScope}, if
 * one is open); every intermediate is closed. Host reads per call: the target labels once, one cost matrix per stage.
 */
public final class SetCriterion {

    /** Names of the terms of one stage, in the order they are reported. */
    public static final List<String> BASE_TERMS = List.of("loss_ce", "loss_bbox", "loss_giou");
    private static final Map<String, Double> DEFAULT_WEIGHTS = Map.of("loss_ce", 2.0, "loss_bbox", 5.0,
            "loss_giou", 2.0);
    private static final Pattern TERM = Pattern.compile("(loss_[a-z]+)(?:_(\\d+))?");

    private final HungarianMatcher matcher;
    private final float focalAlpha;
    private final float focalGamma;

    /**
     * The terms and the assignments they were computed with.
     *
     * @param losses named unweighted scalar terms, final stage first, then auxiliary stages 0, 1, ...
     * @param indices per stage, in the order the stages were given (auxiliary first, final last): B matches
     */
    public record Output(LinkedHashMap<String, NDArray> losses, List<List<Match>> indices) implements AutoCloseable {
        /** @return the matches of the final (last) stage, the assignment distillation may reuse */
        public List<Match> finalIndices() {
            return indices.get(indices.size() - 1);
        }

        /** Closes every loss array. */
        @Override
        public void close() {
            losses.values().forEach(NDArray::close);
        }
    }

    /** Criterion with focal alpha 0.25 and gamma 2. */
    public SetCriterion(HungarianMatcher matcher) {
        this(matcher, FocalLoss.DEFAULT_ALPHA, FocalLoss.DEFAULT_GAMMA);
    }

    /**
     * @param matcher assigns predictions to targets, stage by stage
     * @param focalAlpha focal loss alpha for {@code loss_ce}
     * @param focalGamma focal loss gamma for {@code loss_ce}
     */
    public SetCriterion(HungarianMatcher matcher, float focalAlpha, float focalGamma) {
        this.matcher = Objects.requireNonNull(matcher, "matcher");
        this.focalAlpha = focalAlpha;
        this.focalGamma = focalGamma;
    }

    /**
     * Matches every stage and computes its terms.
     *
     * @param stageLogits per decoder stage [B, Q, K] raw class scores; the last is the final output
     * @param stageBoxes per decoder stage [B, Q, 4] normalised cx, cy, w, h
     * @param targets B images' targets
     * @return the unweighted terms (scalars) and the matches used
     */
    public Output forward(List<NDArray> stageLogits, List<NDArray> stageBoxes, List<ImageTargets> targets) {
        if (stageLogits.isEmpty() || stageLogits.size() != stageBoxes.size()) {
            throw new IllegalArgumentException("need the same non-zero number of logits and boxes stages, got "
                    + stageLogits.size() + " and " + stageBoxes.size());
        }
        int last = stageLogits.size() - 1;
        float numBoxes = numBoxes(targets);
        long[][] labels = hostLabels(targets);
        checkLabels(labels, stageLogits.get(last).getShape().getLastDimension());
        List<List<Match>> indices = new ArrayList<>();
        for (int s = 0; s <= last; s++) {
            indices.add(matcher.match(stageLogits.get(s), stageBoxes.get(s), targets));
        }
        LinkedHashMap<String, NDArray> losses = new LinkedHashMap<>();
        for (int s : stageOrder(last)) {
            String suffix = s == last ? "" : "_" + s;
            losses.put("loss_ce" + suffix, lossLabels(stageLogits.get(s), labels, indices.get(s), numBoxes));
            NDList box = lossBoxes(stageBoxes.get(s), targets, indices.get(s), numBoxes);
            losses.put("loss_bbox" + suffix, box.get(0));
            losses.put("loss_giou" + suffix, box.get(1));
        }
        return new Output(losses, Collections.unmodifiableList(indices));
    }

    /**
     * {@code loss_ce} of one stage for a given assignment (e.g. the teacher's).
     *
     * @param logits [B, Q, K] raw class scores
     * @param targets B images' targets
     * @param indices B matches
     * @param numBoxes the batch's target count, at least 1
     * @return scalar: sum of the elementwise focal loss over [B, Q, K] / numBoxes (Deformable-DETR reports
     *     {@code sigmoid_focal_loss * Q}, the same value)
     */
    public NDArray lossLabels(NDArray logits, List<ImageTargets> targets, List<Match> indices, float numBoxes) {
        return lossLabels(logits, hostLabels(targets), indices, numBoxes);
    }

    private NDArray lossLabels(NDArray logits, long[][] labels, List<Match> indices, float numBoxes) {
        Shape s = logits.getShape();
        checkBatch(s, labels.length, indices.size());
        int q = Math.toIntExact(s.get(1));
        int k = Math.toIntExact(s.get(2));
        checkLabels(labels, k);
        float[] onehot = new float[labels.length * q * k];
        for (int b = 0; b < labels.length; b++) {
            Match m = indices.get(b);
            for (int j = 0; j < m.size(); j++) {
                onehot[(b * q + m.queries()[j]) * k + (int) labels[b][m.targets()[j]]] = 1f;
            }
        }
        NDArray out;
        try (NDScope scope = new NDScope()) {
            NDArray t = owned(logits.getManager().create(onehot, s), logits.getDevice());
            out = FocalLoss.sigmoidFocalLoss(logits, t, numBoxes, focalAlpha, focalGamma).mul(Scalars.constant(logits, q));
            NDScope.unregister(out);
        }
        NDScope.register(out);
        return out;
    }

    /**
     * {@code loss_bbox} and {@code loss_giou} of one stage for a given assignment.
     *
     * @param boxes [B, Q, 4] normalised cx, cy, w, h
     * @param targets B images' targets
     * @param indices B matches
     * @param numBoxes the batch's target count, at least 1
     * @return {loss_bbox, loss_giou}, two scalars; 0 (with a zero gradient) when nothing is matched
     */
    public NDList lossBoxes(NDArray boxes, List<ImageTargets> targets, List<Match> indices, float numBoxes) {
        Shape s = boxes.getShape();
        checkBatch(s, targets.size(), indices.size());
        int q = Math.toIntExact(s.get(1));
        int pairs = indices.stream().mapToInt(Match::size).sum();
        long[] src = new long[pairs];
        long[] tgt = new long[pairs];
        int p = 0;
        int offset = 0;
        for (int b = 0; b < indices.size(); b++) {
            Match m = indices.get(b);
            for (int j = 0; j < m.size(); j++, p++) {
                src[p] = (long) b * q + m.queries()[j];
                tgt[p] = offset + m.targets()[j];
            }
            offset += targets.get(b).size();
        }
        NDArray l1;
        NDArray giou;
        try (NDScope scope = new NDScope()) {
            NDManager manager = boxes.getManager();
            NDArray srcBoxes = boxes.reshape(s.get(0) * q, 4)
                    .get(new NDIndex("{}", owned(manager.create(src), boxes.getDevice())));
            NDList parts = new NDList();
            targets.forEach(t -> parts.add(t.boxes()));
            NDArray all = parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts, 0);
            NDArray tgtBoxes = all.toDevice(boxes.getDevice(), false)
                    .get(new NDIndex("{}", owned(manager.create(tgt), boxes.getDevice())));
            NDArray n = Scalars.constant(boxes, numBoxes);
            l1 = srcBoxes.sub(tgtBoxes).abs().sum().div(n);
            NDArray g = BoxOps.elementwiseGeneralizedBoxIou(BoxOps.boxCxcywhToXyxy(srcBoxes),
                    BoxOps.boxCxcywhToXyxy(tgtBoxes));
            giou = g.neg().add(1f).sum().div(n);
            NDScope.unregister(l1, giou);
        }
        NDScope.register(l1);
        NDScope.register(giou);
        return new NDList(l1, giou);
    }

    /**
     * DETR's num_boxes: the number of target boxes in the batch, clamped at 1. In a data-parallel step
     * ({@link ReplicaContext} present with a global count) it is DETR's distributed value instead,
     * {@code max(1, global count / replicas)}: the whole batch's boxes shared over the replicas, the same for every
     * replica whatever its shard holds, so that the replicas' averaged gradient equals the whole batch's.
     *
     * @param targets the batch's (or the replica's shard's) targets
     * @return max(1, sum n_i), or max(1, N_global / replicas) inside a data-parallel step
     */
    public static float numBoxes(List<ImageTargets> targets) {
        Optional<ReplicaContext> dp = ReplicaContext.current();
        if (dp.isPresent() && dp.get().targetsPerReplica().isPresent()) {
            return (float) Math.max(1.0, dp.get().targetsPerReplica().getAsDouble());
        }
        return Math.max(1, targets.stream().mapToInt(ImageTargets::size).sum());
    }

    /**
     * DETR's default loss weight of a term name (Deformable-DETR main.py: cls_loss_coef 2, bbox_loss_coef 5,
     * giou_loss_coef 2), the same for every stage suffix.
     *
     * @param term e.g. {@code loss_ce}, {@code loss_giou_3}
     * @return its weight
     * @throws IllegalArgumentException for a name this criterion does not produce
     */
    public static double defaultWeight(String term) {
        Matcher m = TERM.matcher(term);
        Double w = m.matches() ? DEFAULT_WEIGHTS.get(m.group(1)) : null;
        if (w == null) {
            throw new IllegalArgumentException("unknown loss term '" + term + "'; known: " + BASE_TERMS
                    + ", each optionally with a stage suffix _<k>");
        }
        return w;
    }

    /**
     * The default weight of every term {@link #forward} produces for this many stages, in the same order.
     *
     * @param numStages decoder stages including the final one, >= 1
     * @return term name to weight
     */
    public static LinkedHashMap<String, Double> defaultWeights(int numStages) {
        if (numStages < 1) {
            throw new IllegalArgumentException("need at least one stage, got " + numStages);
        }
        LinkedHashMap<String, Double> out = new LinkedHashMap<>();
        for (int s : stageOrder(numStages - 1)) {
            String suffix = s == numStages - 1 ? "" : "_" + s;
            BASE_TERMS.forEach(t -> out.put(t + suffix, defaultWeight(t)));
        }
        return out;
    }

    /** The final stage first, then the auxiliary stages in order (DETR's reporting order). */
    private static int[] stageOrder(int last) {
        int[] order = new int[last + 1];
        order[0] = last;
        for (int s = 0; s < last; s++) {
            order[s + 1] = s;
        }
        return order;
    }

    /** Labels of every image on the host, read with one device-to-host copy. */
    private static long[][] hostLabels(List<ImageTargets> targets) {
        long[][] out = new long[targets.size()][];
        int total = targets.stream().mapToInt(ImageTargets::size).sum();
        long[] all;
        if (total == 0) {
            all = new long[0];
        } else {
            try (NDScope scope = new NDScope()) {
                NDList parts = new NDList();
                targets.forEach(t -> parts.add(t.labels()));
                all = (parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts, 0)).toLongArray();
            }
        }
        int offset = 0;
        for (int b = 0; b < out.length; b++) {
            int n = targets.get(b).size();
            out[b] = Arrays.copyOfRange(all, offset, offset + n);
            offset += n;
        }
        return out;
    }

    /**
     * A copy whose memory libtorch owns. The PyTorch engine wraps Java direct buffers without copying
     * ({@code torch::from_blob}), and autograd keeps one-hot targets and gather indices for the backward pass: an
     * array made by {@code manager.create(javaArray)} and closed before {@code backward} would leave the graph reading
     * freed memory (observed: garbage indices, "index ... is out of bounds" during backward).
     */
    private static NDArray owned(NDArray fromHost, Device device) {
        NDArray onDevice = fromHost.toDevice(device, false);
        return onDevice == fromHost ? fromHost.duplicate() : onDevice;
    }


    /** Labels must index the K class logits (the matcher would otherwise fail inside the engine). */
    private static void checkLabels(long[][] labels, long k) {
        for (int b = 0; b < labels.length; b++) {
            for (long label : labels[b]) {
                if (label < 0 || label >= k) {
                    throw new IllegalArgumentException("target label " + label + " of image " + b
                            + " is outside [0, " + k + ")");
                }
            }
        }
    }

    private static void checkBatch(Shape predictions, int targets, int matches) {
        if (predictions.dimension() != 3 || predictions.get(0) != targets || targets != matches) {
            throw new IllegalArgumentException("predictions " + predictions + " do not fit " + targets
                    + " targets and " + matches + " matches");
        }
    }
}
