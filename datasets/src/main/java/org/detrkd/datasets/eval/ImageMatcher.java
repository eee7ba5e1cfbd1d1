package org.detrkd.datasets.eval;

import java.util.Arrays;

/**
 * pycocotools' {@code computeIoU} + {@code evaluateImg} for the (image, category) blocks of one category: sorts the
 * block's detections by score (stable), keeps the first {@code maxDets[-1]}, computes their IoU with the block's GT
 * once, then runs the greedy matching for every area range and IoU threshold and records, per detection, whether it
 * is a true positive, a false positive or ignored (rules 5-8 of {@code reference/coco-eval/README.md}).
 *
 * <p>One instance per worker thread (it owns scratch buffers); it writes only the detection ranges of the category
 * it is given, so categories can run on any thread with identical results.
 */
final class ImageMatcher {
    /** Outcome codes stored per (detection, area, threshold). */
    static final byte FP = 0;
    static final byte TP = 1;
    static final byte IGNORED = 2;

    private static final double MAX_IOU_START = 1 - 1e-10;

    private final EvalIndex ix;
    private final EvalParams p;
    private final byte[] codes;
    private final int[] rank;
    private final int stride;

    private int[] idx = new int[64];
    private int[] tmp = new int[64];
    private double[] sx = new double[64];
    private double[] iou = new double[256];
    private int[] gtOrder = new int[16];
    private boolean[] gtIg = new boolean[16];
    private boolean[] gtMatched = new boolean[16];

    ImageMatcher(EvalIndex ix, EvalParams p, byte[] codes, int[] rank) {
        this.ix = ix;
        this.p = p;
        this.codes = codes;
        this.rank = rank;
        this.stride = p.numAreas() * p.numIou();
    }

    /** Evaluates every image block of category {@code k}. */
    void category(int k) {
        int d = ix.dCatStart[k];
        int dEnd = ix.dCatStart[k + 1];
        int g = ix.gCatStart[k];
        int gEnd = ix.gCatStart[k + 1];
        while (d < dEnd || g < gEnd) {
            int img = Math.min(d < dEnd ? ix.dImg[d] : Integer.MAX_VALUE, g < gEnd ? ix.gImg[g] : Integer.MAX_VALUE);
            int d1 = d;
            while (d1 < dEnd && ix.dImg[d1] == img) {
                d1++;
            }
            int g1 = g;
            while (g1 < gEnd && ix.gImg[g1] == img) {
                g1++;
            }
            if (d1 > d) {
                sortByScore(d, d1);
                match(d, Math.min(d1, d + p.maxDetLast()), g, g1);
            }
            d = d1;
            g = g1;
        }
    }

    /** Stable sort of one block's detection columns by score, highest first; records each one's rank. */
    private void sortByScore(int from, int to) {
        int n = to - from;
        if (idx.length < n) {
            idx = new int[n];
            tmp = new int[n];
            sx = new double[n];
        }
        for (int i = 0; i < n; i++) {
            idx[i] = from + i;
        }
        StableSort.descending(ix.dScore, idx, 0, n, tmp);
        permute(ix.dX, from, n);
        permute(ix.dY, from, n);
        permute(ix.dW, from, n);
        permute(ix.dH, from, n);
        permute(ix.dScore, from, n);
        for (int i = 0; i < n; i++) {
            rank[from + i] = i;
        }
    }

    private void permute(double[] col, int from, int n) {
        for (int i = 0; i < n; i++) {
            sx[i] = col[idx[i]];
        }
        System.arraycopy(sx, 0, col, from, n);
    }

    /** Matching of detections {@code [d0, d1)} (score order) against GT {@code [g0, g1)} (file order). */
    private void match(int d0, int d1, int g0, int g1) {
        int nd = d1 - d0;
        int ng = g1 - g0;
        computeIou(d0, nd, g0, ng);
        ensureGt(ng);
        int numIou = p.numIou();
        for (int a = 0; a < p.numAreas(); a++) {
            double lo = p.areaLo(a);
            double hi = p.areaHi(a);
            orderGt(g0, ng, lo, hi);
            for (int t = 0; t < numIou; t++) {
                Arrays.fill(gtMatched, 0, ng, false);
                double start = Math.min(p.iouThr(t), MAX_IOU_START);
                for (int di = 0; di < nd; di++) {
                    int m = bestGt(di, ng, g0, start);
                    boolean ignored = false;
                    boolean matchedNonZero = false;
                    if (m >= 0) {
                        gtMatched[m] = true;
                        ignored = gtIg[m];
                        matchedNonZero = ix.gId[g0 + gtOrder[m]] != 0; // pycocotools stores the GT id; 0 = none
                    }
                    int dpos = d0 + di;
                    double area = ix.dW[dpos] * ix.dH[dpos];
                    if (!matchedNonZero && (area < lo || area > hi)) {
                        ignored = true;
                    }
                    codes[dpos * stride + a * numIou + t] = ignored ? IGNORED : matchedNonZero ? TP : FP;
                }
            }
        }
    }

    /** Greedy choice for one detection: position in {@link #gtOrder} of its GT, or -1. */
    private int bestGt(int di, int ng, int g0, double start) {
        double best = start;
        int m = -1;
        int row = di * ng;
        for (int j = 0; j < ng; j++) {
            int gj = gtOrder[j];
            if (gtMatched[j] && !ix.gCrowd[g0 + gj]) {
                continue;
            }
            if (m > -1 && !gtIg[m] && gtIg[j]) {
                break;
            }
            double v = iou[row + gj];
            if (v < best) {
                continue;
            }
            best = v;
            m = j;
        }
        return m;
    }

    /** GT of the block stable-sorted with the non-ignored ones first, for area range {@code [lo, hi]}. */
    private void orderGt(int g0, int ng, double lo, double hi) {
        int n = 0;
        for (int pass = 0; pass < 2; pass++) {
            for (int j = 0; j < ng; j++) {
                double area = ix.gArea[g0 + j];
                boolean ig = ix.gCrowd[g0 + j] || area < lo || area > hi;
                if (ig == (pass == 1)) {
                    gtOrder[n] = j;
                    gtIg[n++] = ig;
                }
            }
        }
    }

    /** pycocotools' {@code bbIou}: IoU of each detection with each GT; a crowd GT's union is the detection's area. */
    private void computeIou(int d0, int nd, int g0, int ng) {
        if (iou.length < nd * ng) {
            iou = new double[nd * ng];
        }
        for (int gj = 0; gj < ng; gj++) {
            int g = g0 + gj;
            double gx = ix.gX[g];
            double gy = ix.gY[g];
            double gw = ix.gW[g];
            double gh = ix.gH[g];
            double ga = gw * gh;
            boolean crowd = ix.gCrowd[g];
            for (int di = 0; di < nd; di++) {
                int d = d0 + di;
                double dx = ix.dX[d];
                double dy = ix.dY[d];
                double dw = ix.dW[d];
                double dh = ix.dH[d];
                double v = 0;
                double w = Math.min(dw + dx, gw + gx) - Math.max(dx, gx);
                if (w > 0) {
                    double h = Math.min(dh + dy, gh + gy) - Math.max(dy, gy);
                    if (h > 0) {
                        double da = dw * dh;
                        double inter = w * h;
                        double union = crowd ? da : da + ga - inter;
                        v = inter / union;
                    }
                }
                iou[di * ng + gj] = v;
            }
        }
    }

    private void ensureGt(int ng) {
        if (gtOrder.length < ng) {
            gtOrder = new int[ng];
            gtIg = new boolean[ng];
            gtMatched = new boolean[ng];
        }
    }
}
