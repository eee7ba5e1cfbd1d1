package org.detrkd.detr.matching;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.detrkd.detr.boxes.BoxOps;
import org.detrkd.detr.loss.FocalLoss;

/**
 * One-to-one assignment of predictions to targets by minimum total cost, the matcher of DETR (Carion et al., ECCV
 * 2020) with Deformable-DETR's focal-style class cost ({@code models/matcher.py}, commit 11169a6):
 *
 * <pre>
 *   p          = sigmoid(logit) at the target's label
 *   cost_class = alpha*(1-p)^gamma*(-log(p + 1e-8)) - (1-alpha)*p^gamma*(-log(1 - p + 1e-8))
 *   C          = costBbox * L1(cx,cy,w,h) + costClass * cost_class + costGiou * (-GIoU(xyxy))
 * </pre>
 *
 * For a batch, one cost tensor [B*Q, sum n_i] is built on the predictions' device and copied to the host once; the
 * block of image i (its Q rows, its n_i columns) then goes to the {@link LinearAssignmentSolver} given in the
 * constructor. Matching never records gradients: it works on detached copies of the predictions. Every intermediate
 * array is closed before returning.
 */
public final class HungarianMatcher {

    /** Deformable-DETR {@code set_cost_class}. */
    public static final float DEFAULT_COST_CLASS = 2f;
    /** Deformable-DETR {@code set_cost_bbox}. */
    public static final float DEFAULT_COST_BBOX = 5f;
    /** Deformable-DETR {@code set_cost_giou}. */
    public static final float DEFAULT_COST_GIOU = 2f;
    private static final float EPS = 1e-8f;

    private final LinearAssignmentSolver solver;
    private final float costClass;
    private final float costBbox;
    private final float costGiou;
    private final float alpha;
    private final float gamma;

    /**
     * The matches of one image.
     *
     * @param queries matched query indices, increasing
     * @param targets {@code targets[k]} is the target index matched to {@code queries[k]}
     */
    public record Match(int[] queries, int[] targets) {
        /** Checks equal lengths. */
        public Match {
            if (queries.length != targets.length) {
                throw new IllegalArgumentException("match needs as many queries as targets");
            }
        }

        /** @return the number of matched pairs, min(Q, n) */
        public int size() {
            return queries.length;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Match m && Arrays.equals(queries, m.queries) && Arrays.equals(targets, m.targets);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(queries) + Arrays.hashCode(targets);
        }

        @Override
        public String toString() {
            return "Match[queries=" + Arrays.toString(queries) + ", targets=" + Arrays.toString(targets) + "]";
        }
    }

    /** Matcher with Deformable-DETR's default weights (class 2, L1 5, GIoU 2) and focal alpha 0.25, gamma 2. */
    public HungarianMatcher(LinearAssignmentSolver solver) {
        this(solver, DEFAULT_COST_CLASS, DEFAULT_COST_BBOX, DEFAULT_COST_GIOU, FocalLoss.DEFAULT_ALPHA,
                FocalLoss.DEFAULT_GAMMA);
    }

    /**
     * @param solver solves each image's [Q, n_i] block
     * @param costClass weight of the focal class cost
     * @param costBbox weight of the L1 distance on cx, cy, w, h
     * @param costGiou weight of the negative generalized IoU
     * @param alpha focal alpha of the class cost
     * @param gamma focal gamma of the class cost
     */
    public HungarianMatcher(LinearAssignmentSolver solver, float costClass, float costBbox, float costGiou,
            float alpha, float gamma) {
        this.solver = Objects.requireNonNull(solver, "solver");
        if (costClass == 0 && costBbox == 0 && costGiou == 0) {
            throw new IllegalArgumentException("all matcher costs are 0");
        }
        this.costClass = costClass;
        this.costBbox = costBbox;
        this.costGiou = costGiou;
        this.alpha = alpha;
        this.gamma = gamma;
    }

    /**
     * Matches one decoder stage of a batch.
     *
     * @param logits [B, Q, K] raw class scores
     * @param boxes [B, Q, 4] normalised cx, cy, w, h
     * @param targets B images' targets
     * @return B matches, each sorted by query; an image without targets gets an empty match
     */
    public List<Match> match(NDArray logits, NDArray boxes, List<ImageTargets> targets) {
        int b = checkBatch(logits, boxes, targets);
        int q = Math.toIntExact(logits.getShape().get(1));
        int[] sizes = targets.stream().mapToInt(ImageTargets::size).toArray();
        int total = IntStream.of(sizes).sum();
        if (total == 0) {
            return Collections.nCopies(b, new Match(new int[0], new int[0]));
        }
        float[] cost;
        try (NDArray c = costMatrix(logits, boxes, targets)) {
            cost = c.toFloatArray(); // the one device-to-host copy per stage
        }
        List<Match> out = new ArrayList<>(b);
        int offset = 0;
        for (int i = 0; i < b; i++) {
            out.add(solveBlock(cost, total, i * q, q, offset, sizes[i]));
            offset += sizes[i];
        }
        return Collections.unmodifiableList(out);
    }

    /**
     * The batch cost matrix, detached from the graph. Rows are (image, query) pairs, image-major; columns are the
     * images' targets concatenated in order, so image i's block is rows [i*Q, (i+1)*Q) and its n_i columns.
     *
     * @param logits [B, Q, K] raw class scores
     * @param boxes [B, Q, 4] normalised cx, cy, w, h
     * @param targets B images' targets
     * @return [B*Q, sum n_i] float32, on the predictions' device
     */
    public NDArray costMatrix(NDArray logits, NDArray boxes, List<ImageTargets> targets) {
        int b = checkBatch(logits, boxes, targets);
        long q = logits.getShape().get(1);
        long k = logits.getShape().get(2);
        NDArray cost;
        try (NDScope scope = new NDScope()) {
            NDArray tgtIds = concat(targets, ImageTargets::labels).toDevice(logits.getDevice(), false);
            // The class cost is elementwise: pick the targets' columns first, then compute on [B*Q, T] only.
            NDArray prob = Activation.sigmoid(logits.stopGradient().reshape(b * q, k)
                    .get(new NDIndex(":, {}", tgtIds)));
            NDArray outBox = boxes.stopGradient().reshape(b * q, 4);
            NDArray tgtBox = concat(targets, ImageTargets::boxes).toDevice(outBox.getDevice(), false);
            NDArray cls = classCost(prob);
            NDArray l1 = outBox.expandDims(1).sub(tgtBox.expandDims(0)).abs().sum(new int[] {2});
            NDArray giou = BoxOps.generalizedBoxIou(BoxOps.boxCxcywhToXyxy(outBox), BoxOps.boxCxcywhToXyxy(tgtBox));
            // Detached, so Java-number operands are safe here (no backward pass reads them later).
            cost = l1.mul(costBbox).add(cls.mul(costClass)).add(giou.neg().mul(costGiou));
            NDScope.unregister(cost);
        }
        NDScope.register(cost);
        return cost;
    }

    /** Focal positive minus negative cost, elementwise on [B*Q, T] probabilities of the targets' labels. */
    private NDArray classCost(NDArray prob) {
        NDArray oneMinusP = prob.neg().add(1f);
        NDArray neg = prob.pow(gamma).mul(1f - alpha).mul(oneMinusP.add(EPS).log().neg());
        NDArray pos = oneMinusP.pow(gamma).mul(alpha).mul(prob.add(EPS).log().neg());
        return pos.sub(neg);
    }

    private Match solveBlock(float[] cost, int stride, int row0, int rows, int col0, int cols) {
        if (cols == 0) {
            return new Match(new int[0], new int[0]);
        }
        double[] block = new double[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                block[r * cols + c] = cost[(row0 + r) * stride + col0 + c];
            }
        }
        Assignment a = solver.solve(block, rows, cols);
        if (a.rows().length != Math.min(rows, cols) || a.cols().length != a.rows().length) {
            throw new IllegalStateException("solver returned " + a.rows().length + " pairs for a " + rows + "x"
                    + cols + " block");
        }
        Integer[] order = IntStream.range(0, a.rows().length).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingInt(i -> a.rows()[i]));
        int[] qs = new int[order.length];
        int[] ts = new int[order.length];
        for (int i = 0; i < order.length; i++) {
            qs[i] = a.rows()[order[i]];
            ts[i] = a.cols()[order[i]];
        }
        return new Match(qs, ts);
    }

    private static NDArray concat(List<ImageTargets> targets, Function<ImageTargets, NDArray> f) {
        NDList parts = new NDList(targets.size());
        targets.forEach(t -> parts.add(f.apply(t)));
        return parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts, 0);
    }

    private static int checkBatch(NDArray logits, NDArray boxes, List<ImageTargets> targets) {
        Shape ls = logits.getShape();
        if (ls.dimension() != 3 || !boxes.getShape().equals(new Shape(ls.get(0), ls.get(1), 4))) {
            throw new IllegalArgumentException("predictions need logits [B, Q, K] and boxes [B, Q, 4], got " + ls
                    + " and " + boxes.getShape());
        }
        if (ls.get(0) != targets.size()) {
            throw new IllegalArgumentException("batch of " + ls.get(0) + " predictions but " + targets.size()
                    + " targets");
        }
        return targets.size();
    }
}
