package org.detrkd.detr.loss;

/**
 * Independent float64 scalar formulas (no NDArray) used as a second reference in the tests: the focal loss, the
 * generalized IoU of two cx,cy,w,h boxes, and the set-criterion terms for a given assignment.
 */
public final class ReferenceMath {

    private ReferenceMath() {}

    /** Focal loss of one element, alpha 0.25, gamma 2, computed from the definition. */
    public static double focal(double x, double t) {
        double p = 1 / (1 + Math.exp(-x));
        double ce = -(t * Math.log(p) + (1 - t) * Math.log1p(-p));
        if (Math.abs(x) > 15) { // log(p) loses everything there; use the stable form
            ce = Math.max(x, 0) - x * t + Math.log1p(Math.exp(-Math.abs(x)));
        }
        double pt = p * t + (1 - p) * (1 - t);
        double alphaT = 0.25 * t + 0.75 * (1 - t);
        return alphaT * ce * (1 - pt) * (1 - pt);
    }

    /** Generalized IoU of two boxes given as {cx, cy, w, h} starting at {@code a[ia]} and {@code b[ib]}. */
    public static double giou(double[] a, int ia, double[] b, int ib) {
        double[] p = xyxy(a, ia);
        double[] q = xyxy(b, ib);
        double inter = Math.max(0, Math.min(p[2], q[2]) - Math.max(p[0], q[0]))
                * Math.max(0, Math.min(p[3], q[3]) - Math.max(p[1], q[1]));
        double union = (p[2] - p[0]) * (p[3] - p[1]) + (q[2] - q[0]) * (q[3] - q[1]) - inter;
        double enclosing = (Math.max(p[2], q[2]) - Math.min(p[0], q[0]))
                * (Math.max(p[3], q[3]) - Math.min(p[1], q[1]));
        return inter / union - (enclosing - union) / enclosing;
    }

    private static double[] xyxy(double[] box, int i) {
        return new double[] {box[i] - box[i + 2] / 2, box[i + 1] - box[i + 3] / 2, box[i] + box[i + 2] / 2,
            box[i + 1] + box[i + 3] / 2};
    }

    /**
     * The three criterion terms of one stage for a fixed assignment.
     *
     * @param logits [B, Q, K] row-major
     * @param boxes [B, Q, 4] row-major cx,cy,w,h
     * @param labels per image target labels
     * @param tboxes per image target boxes [n_i * 4]
     * @param queries per image matched queries
     * @param tgts per image matched target indices
     * @return {loss_ce, loss_bbox, loss_giou}
     */
    public static double[] stageLosses(double[] logits, double[] boxes, int q, int k, int[][] labels,
            double[][] tboxes, int[][] queries, int[][] tgts) {
        int b = labels.length;
        double numBoxes = 0;
        for (int[] l : labels) {
            numBoxes += l.length;
        }
        numBoxes = Math.max(1, numBoxes);
        double[] onehot = new double[b * q * k];
        double l1 = 0;
        double giou = 0;
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < queries[i].length; j++) {
                int qi = queries[i][j];
                int t = tgts[i][j];
                onehot[(i * q + qi) * k + labels[i][t]] = 1;
                for (int c = 0; c < 4; c++) {
                    l1 += Math.abs(boxes[(i * q + qi) * 4 + c] - tboxes[i][t * 4 + c]);
                }
                giou += 1 - giou(boxes, (i * q + qi) * 4, tboxes[i], t * 4);
            }
        }
        double ce = 0;
        for (int e = 0; e < onehot.length; e++) {
            ce += focal(logits[e], onehot[e]);
        }
        return new double[] {ce / numBoxes, l1 / numBoxes, giou / numBoxes};
    }
}
