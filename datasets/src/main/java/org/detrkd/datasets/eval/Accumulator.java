package org.detrkd.datasets.eval;

/**
 * pycocotools' {@code accumulate()} for one category at a time (rules 10-11 of
 * {@code reference/coco-eval/README.md}): joins the images' first {@code maxDet} detections, stable-sorts them by
 * score (ties go to the lower image id, then the within-image order), runs the cumulative true/false positive counts
 * for each area range and IoU threshold, makes precision monotone from the right and samples it at the recall
 * thresholds. Entries of a category without non-ignored GT in an area range stay -1.
 *
 * <p>Writes {@code precision[T, R, K, A, M]} and {@code recall[T, K, A, M]} (row-major, pycocotools' layout) only at
 * its category's index; one instance per worker thread.
 */
final class Accumulator {
    /** numpy's {@code np.spacing(1)}. */
    private static final double EPS = Math.ulp(1.0);

    private final Evaluation ev;
    private final EvalParams p;
    private final double[] precision;
    private final double[] recall;
    private final int numCat;

    private int[] order = new int[64];
    private int[] tmp = new int[64];
    private double[] rc = new double[64];
    private double[] pr = new double[64];
    /** Ranks and codes of the category's detections gathered in score order, codes as [area][threshold][i]. */
    private int[] sortedRank = new int[64];
    private byte[] sortedCodes = new byte[64];

    Accumulator(Evaluation ev, double[] precision, double[] recall) {
        this.ev = ev;
        this.p = ev.params;
        this.precision = precision;
        this.recall = recall;
        this.numCat = ev.index.numCategories();
    }

    /** Fills category {@code k}'s entries. */
    void category(int k) {
        EvalIndex ix = ev.index;
        int n = joinAndSort(ix.dCatStart[k], ix.dCatStart[k + 1]);
        int maxLast = p.maxDetLast();
        for (int a = 0; a < p.numAreas(); a++) {
            int npig = countNonIgnoredGt(ix.gCatStart[k], ix.gCatStart[k + 1], p.areaLo(a), p.areaHi(a));
            if (npig == 0) {
                continue; // stays -1
            }
            for (int m = 0; m < p.numMaxDets(); m++) {
                int maxDet = Math.min(p.maxDet(m), maxLast);
                for (int t = 0; t < p.numIou(); t++) {
                    curve(k, a, m, t, n, maxDet, npig);
                }
            }
        }
    }

    /** The category's kept detections in (image, rank) order, then stable-sorted by score; returns the count. */
    private int joinAndSort(int from, int to) {
        int stride = p.numAreas() * p.numIou();
        if (order.length < to - from) {
            int c = to - from;
            order = new int[c];
            tmp = new int[c];
            rc = new double[c];
            pr = new double[c];
            sortedRank = new int[c];
        }
        if (sortedCodes.length < (to - from) * stride) {
            sortedCodes = new byte[(to - from) * stride];
        }
        int n = 0;
        int maxLast = p.maxDetLast();
        for (int d = from; d < to; d++) {
            if (ev.rank[d] < maxLast) {
                order[n++] = d;
            }
        }
        StableSort.descending(ev.index.dScore, order, 0, n, tmp);
        // gather once so that every curve below reads memory sequentially
        for (int i = 0; i < n; i++) {
            int d = order[i];
            sortedRank[i] = ev.rank[d];
            int src = d * stride;
            for (int j = 0; j < stride; j++) {
                sortedCodes[j * n + i] = ev.codes[src + j];
            }
        }
        return n;
    }

    private int countNonIgnoredGt(int from, int to, double lo, double hi) {
        EvalIndex ix = ev.index;
        int n = 0;
        for (int g = from; g < to; g++) {
            double area = ix.gArea[g];
            if (!ix.gCrowd[g] && area >= lo && area <= hi) {
                n++;
            }
        }
        return n;
    }

    /**
     * One precision/recall curve: category k, area a, max-detections m, IoU threshold t.
     *
     * <p>pycocotools computes {@code rc} and {@code pr} at every detection, takes the running maximum of {@code pr}
     * from the right and samples it at the first position whose recall reaches each threshold. Precision only rises
     * at a true positive (a false positive lowers it, an ignored detection repeats it, and it is 0 before the first
     * true positive), and the first position reaching a recall above 0 is a true positive; so the same numbers come
     * from evaluating {@code rc} and {@code pr} at the true positives only, with the same expressions on the same
     * counts. That keeps the divisions to at most {@code npig} per curve.
     */
    private void curve(int k, int a, int m, int t, int n, int maxDet, int npig) {
        int row = (a * p.numIou() + t) * n;
        int tp = 0;
        int fp = 0;
        int nd = 0;
        int ntp = 0;
        for (int i = 0; i < n; i++) {
            if (sortedRank[i] >= maxDet) {
                continue;
            }
            int code = sortedCodes[row + i];
            nd++;
            if (code == ImageMatcher.TP) {
                tp++;
                rc[ntp] = (double) tp / npig;
                pr[ntp] = tp / ((double) (fp + tp) + EPS);
                ntp++;
            } else {
                fp += 1 - (code >> 1); // FP = 0 counts, IGNORED = 2 does not
            }
        }
        int numA = p.numAreas();
        int numM = p.numMaxDets();
        recall[((t * numCat + k) * numA + a) * numM + m] = nd > 0 ? (double) tp / npig : 0;
        for (int i = ntp - 1; i > 0; i--) {
            if (pr[i] > pr[i - 1]) {
                pr[i - 1] = pr[i];
            }
        }
        int numR = p.numRecall();
        int j = 0;
        for (int r = 0; r < numR; r++) {
            double thr = p.recThr(r);
            while (j < ntp && rc[j] < thr) {
                j++;
            }
            precision[(((t * numR + r) * numCat + k) * numA + a) * numM + m] = j < ntp ? pr[j] : 0;
        }
    }
}
