package org.detrkd.datasets.eval;

import java.util.List;

/**
 * pycocotools' {@code summarize()}: the 12 standard statistics as means over the non -1 entries of the precision
 * (AP) or recall (AR) arrays, selected by IoU threshold, area range and max detections (rule 12 of
 * {@code reference/coco-eval/README.md}), with numpy's pairwise summation in C order. Also used per category.
 */
final class Summary {
    /** The 12 statistics in pycocotools' order. */
    static final List<String> NAMES = List.of(
            "AP", "AP50", "AP75", "APs", "APm", "APl", "AR1", "AR10", "AR100", "ARs", "ARm", "ARl");

    /** What one statistic selects. */
    record Stat(boolean ap, Double iouThr, String area, int maxDets) {}

    /** The 12 selections of {@code _summarizeDets} for the default parameters. */
    static List<Stat> stats(EvalParams p) {
        int m0 = p.maxDet(0);
        int m1 = p.maxDet(1);
        int m2 = p.maxDet(2);
        return List.of(
                new Stat(true, null, "all", 100),
                new Stat(true, 0.5, "all", m2),
                new Stat(true, 0.75, "all", m2),
                new Stat(true, null, "small", m2),
                new Stat(true, null, "medium", m2),
                new Stat(true, null, "large", m2),
                new Stat(false, null, "all", m0),
                new Stat(false, null, "all", m1),
                new Stat(false, null, "all", m2),
                new Stat(false, null, "small", m2),
                new Stat(false, null, "medium", m2),
                new Stat(false, null, "large", m2));
    }

    private Summary() {}

    /**
     * The 12 statistics over categories {@code [k0, k1)} (all categories, or one).
     *
     * @param precision {@code [T, R, K, A, M]} row-major
     * @param recall {@code [T, K, A, M]} row-major
     */
    static double[] compute(EvalParams p, int numCat, double[] precision, double[] recall, int k0, int k1) {
        List<Stat> stats = stats(p);
        double[] out = new double[stats.size()];
        double[] buf = new double[p.numIou() * p.numRecall() * (k1 - k0)];
        for (int s = 0; s < out.length; s++) {
            out[s] = one(p, numCat, precision, recall, k0, k1, stats.get(s), buf);
        }
        return out;
    }

    private static double one(EvalParams p, int numCat, double[] precision, double[] recall, int k0, int k1,
                              Stat s, double[] buf) {
        int a = EvalParams.AREA_LABELS.indexOf(s.area());
        int m = -1;
        for (int i = 0; i < p.numMaxDets(); i++) {
            if (p.maxDet(i) == s.maxDets()) {
                m = i;
            }
        }
        if (a < 0 || m < 0) {
            return -1;
        }
        int numA = p.numAreas();
        int numM = p.numMaxDets();
        int numR = p.numRecall();
        int n = 0;
        for (int t = 0; t < p.numIou(); t++) {
            if (s.iouThr() != null && p.iouThr(t) != s.iouThr()) {
                continue; // np.where(iouThr == p.iouThrs): exact equality
            }
            if (s.ap()) {
                for (int r = 0; r < numR; r++) {
                    for (int k = k0; k < k1; k++) {
                        double v = precision[(((t * numR + r) * numCat + k) * numA + a) * numM + m];
                        if (v > -1) {
                            buf[n++] = v;
                        }
                    }
                }
            } else {
                for (int k = k0; k < k1; k++) {
                    double v = recall[((t * numCat + k) * numA + a) * numM + m];
                    if (v > -1) {
                        buf[n++] = v;
                    }
                }
            }
        }
        return NumpyMath.meanOrMinusOne(buf, n);
    }
}
