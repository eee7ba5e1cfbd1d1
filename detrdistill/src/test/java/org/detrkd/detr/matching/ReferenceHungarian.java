package org.detrkd.detr.matching;

import java.util.Arrays;

/**
 * Test oracle for problems too large to enumerate: the textbook O(n^2 m) Hungarian algorithm with potentials (Kuhn
 * 1955 / Munkres 1957 in the compact form of Jonker-Volgenant's Dijkstra), written independently of the solver: no
 * initialisation phase, 1-based arrays with a virtual column 0, explicit transposition. Returns only the optimal
 * total, summed in increasing row order.
 */
final class ReferenceHungarian {
    private ReferenceHungarian() {}

    static double optimalTotal(double[] cost, int rows, int cols) {
        if (rows == 0 || cols == 0) {
            return 0.0;
        }
        boolean flip = rows > cols;
        int n = flip ? cols : rows;
        int m = flip ? rows : cols;
        double[][] a = new double[n + 1][m + 1];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                if (flip) {
                    a[c + 1][r + 1] = cost[r * cols + c];
                } else {
                    a[r + 1][c + 1] = cost[r * cols + c];
                }
            }
        }
        int[] rowOfCol = match(a, n, m);
        double[] perRow = new double[rows];
        boolean[] matched = new boolean[rows];
        for (int j = 1; j <= m; j++) {
            if (rowOfCol[j] != 0) {
                int r = flip ? j - 1 : rowOfCol[j] - 1;
                int c = flip ? rowOfCol[j] - 1 : j - 1;
                perRow[r] = cost[r * cols + c];
                matched[r] = true;
            }
        }
        double total = 0.0;
        for (int r = 0; r < rows; r++) {
            if (matched[r]) {
                total += perRow[r];
            }
        }
        return total;
    }

    /** Returns p with p[j] = the row (1-based) matched to column j, 0 if none. */
    private static int[] match(double[][] a, int n, int m) {
        double[] u = new double[n + 1];
        double[] v = new double[m + 1];
        int[] p = new int[m + 1];
        int[] way = new int[m + 1];
        for (int i = 1; i <= n; i++) {
            p[0] = i;
            int j0 = 0;
            double[] minv = new double[m + 1];
            Arrays.fill(minv, Double.POSITIVE_INFINITY);
            boolean[] used = new boolean[m + 1];
            do {
                used[j0] = true;
                int i0 = p[j0];
                double delta = Double.POSITIVE_INFINITY;
                int j1 = -1;
                for (int j = 1; j <= m; j++) {
                    if (!used[j]) {
                        double cur = a[i0][j] - u[i0] - v[j];
                        if (cur < minv[j]) {
                            minv[j] = cur;
                            way[j] = j0;
                        }
                        if (minv[j] < delta) {
                            delta = minv[j];
                            j1 = j;
                        }
                    }
                }
                for (int j = 0; j <= m; j++) {
                    if (used[j]) {
                        u[p[j]] += delta;
                        v[j] -= delta;
                    } else {
                        minv[j] -= delta;
                    }
                }
                j0 = j1;
            } while (p[j0] != 0);
            do {
                int j1 = way[j0];
                p[j0] = p[j1];
                j0 = j1;
            } while (j0 != 0);
        }
        return p;
    }
}
