package org.detrkd.datasets.eval;

/**
 * numpy's float64 reductions, reproduced in their summation order so that summary statistics agree with
 * pycocotools' {@code np.mean(s[s > -1])} (pairwise summation: blocks of 8 accumulators up to 128 values, halves
 * rounded to a multiple of 8 above), not just a naive running sum.
 */
final class NumpyMath {
    private static final int BLOCK = 128;

    private NumpyMath() {}

    /** {@code np.mean(v[0:n])}; -1 when {@code n == 0}, as pycocotools reports an empty selection. */
    static double meanOrMinusOne(double[] v, int n) {
        if (n == 0) {
            return -1;
        }
        return pairwiseSum(v, 0, n) / n;
    }

    /** numpy's {@code pairwise_sum} over {@code v[off, off + n)}. */
    static double pairwiseSum(double[] v, int off, int n) {
        if (n < 8) {
            double res = 0.0;
            for (int i = 0; i < n; i++) {
                res += v[off + i];
            }
            return res;
        }
        if (n <= BLOCK) {
            double r0 = v[off];
            double r1 = v[off + 1];
            double r2 = v[off + 2];
            double r3 = v[off + 3];
            double r4 = v[off + 4];
            double r5 = v[off + 5];
            double r6 = v[off + 6];
            double r7 = v[off + 7];
            int i;
            for (i = 8; i < n - (n % 8); i += 8) {
                r0 += v[off + i];
                r1 += v[off + i + 1];
                r2 += v[off + i + 2];
                r3 += v[off + i + 3];
                r4 += v[off + i + 4];
                r5 += v[off + i + 5];
                r6 += v[off + i + 6];
                r7 += v[off + i + 7];
            }
            double res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7));
            for (; i < n; i++) {
                res += v[off + i];
            }
            return res;
        }
        int n2 = n / 2;
        n2 -= n2 % 8;
        return pairwiseSum(v, off, n2) + pairwiseSum(v, off + n2, n - n2);
    }
}
