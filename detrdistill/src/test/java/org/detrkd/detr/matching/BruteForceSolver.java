package org.detrkd.detr.matching;

import java.util.Arrays;

/**
 * Exhaustive linear assignment for small matrices (at most 8 on the smaller side, 12 on the larger): tries every
 * injective map from the smaller side to the larger one. The test oracle for {@link HungarianMatcher}.
 */
public final class BruteForceSolver implements LinearAssignmentSolver {

    /** Number of calls, and the sizes of the last block, for tests that check how the matcher calls its solver. */
    int calls;
    int lastRows;
    int lastCols;

    @Override
    public Assignment solve(double[] cost, int rows, int cols) {
        if (cost.length != rows * cols || Math.min(rows, cols) > 8 || Math.max(rows, cols) > 12) {
            throw new IllegalArgumentException("brute force needs a small matrix, got " + rows + "x" + cols);
        }
        calls++;
        lastRows = rows;
        lastCols = cols;
        boolean transpose = rows > cols;
        int small = transpose ? cols : rows;
        int large = transpose ? rows : cols;
        int[] best = new int[small];
        double[] bestTotal = {Double.POSITIVE_INFINITY};
        search(cost, cols, transpose, 0, new int[small], new boolean[large], 0, best, bestTotal);
        int[] r = new int[small];
        int[] c = new int[small];
        for (int i = 0; i < small; i++) {
            r[i] = transpose ? best[i] : i;
            c[i] = transpose ? i : best[i];
        }
        if (transpose) { // rows must be increasing
            Integer[] order = new Integer[small];
            Arrays.setAll(order, i -> i);
            Arrays.sort(order, (a, b) -> Integer.compare(r[a], r[b]));
            int[] r2 = new int[small];
            int[] c2 = new int[small];
            for (int i = 0; i < small; i++) {
                r2[i] = r[order[i]];
                c2[i] = c[order[i]];
            }
            return new Assignment(r2, c2, small == 0 ? 0 : bestTotal[0]);
        }
        return new Assignment(r, c, small == 0 ? 0 : bestTotal[0]);
    }

    private static void search(double[] cost, int cols, boolean transpose, int i, int[] pick, boolean[] used,
            double total, int[] best, double[] bestTotal) {
        if (i == pick.length) {
            if (total < bestTotal[0]) {
                bestTotal[0] = total;
                System.arraycopy(pick, 0, best, 0, pick.length);
            }
            return;
        }
        for (int j = 0; j < used.length; j++) {
            if (!used[j]) {
                used[j] = true;
                pick[i] = j;
                double c = transpose ? cost[j * cols + i] : cost[i * cols + j];
                search(cost, cols, transpose, i + 1, pick, used, total + c, best, bestTotal);
                used[j] = false;
            }
        }
    }
}
