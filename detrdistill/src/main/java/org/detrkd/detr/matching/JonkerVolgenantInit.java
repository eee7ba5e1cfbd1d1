package org.detrkd.detr.matching;

import java.util.Arrays;

/**
 * The initialisation phases of Jonker and Volgenant's LAPJV (R. Jonker, A. Volgenant, "A shortest augmenting path
 * algorithm for dense and sparse linear assignment problems", Computing 38, 1987): column reduction with reduction
 * transfer, and augmenting row reduction. On dense random problems they assign all but a few rows in
 * {@code O(n * m)} work, leaving only short shortest-augmenting-path searches to {@link ShortestAugmentingPathSolver}.
 *
 * <p>Both phases work on the solver's arrays ({@code c} is {@code [n, m]} row-major with {@code n <= m}, column duals
 * {@code v}, the partial matching {@code col4row / row4col} with -1 for unassigned) and keep this invariant: every
 * assigned row's column attains that row's minimum of {@code c[i][j] - v[j]}, and for {@code n < m} every unassigned
 * column has {@code v[j] = 0} while assigned ones have {@code v[j] <= 0}. The solver then sets {@code u[i]} to that
 * minimum, which makes the duals feasible and tight on the matching, so the result stays exactly optimal.
 *
 * <p>Holds scratch arrays; one instance per solver, used from one thread at a time.
 */
final class JonkerVolgenantInit {
    /**
     * Default cap on augmenting-row-reduction row scans, per row: on uniform random square problems (100, 300, 900)
     * it leaves a few free rows, and among caps 2..12 it was within noise of the fastest at every size (4..8 were
     * equivalent; 32 or unbounded row reduction is slower, because its last bids are tiny).
     */
    static final int DEFAULT_SCANS_PER_ROW = 6;

    private final int scansPerRow;

    private double[] colMin = new double[0]; // [m] column minima (column reduction)
    private int[] argColMin = new int[0]; // [m] first row attaining each column minimum
    private int[] freeRows = new int[0]; // [n] match counters (column reduction), free-row queue (row reduction)

    /** @param scansPerRow cap on augmenting-row-reduction row scans per row; 0 skips that phase */
    JonkerVolgenantInit(int scansPerRow) {
        if (scansPerRow < 0) {
            throw new IllegalArgumentException("scansPerRow must be >= 0, got " + scansPerRow);
        }
        this.scansPerRow = scansPerRow;
    }

    @Override
    public String toString() {
        return "arrScansPerRow=" + scansPerRow;
    }

    private void ensureCapacity(int n, int m) {
        if (freeRows.length < n) {
            freeRows = new int[n];
        }
        if (colMin.length < m) {
            colMin = new double[m];
            argColMin = new int[m];
        }
    }

    /**
     * Jonker-Volgenant column reduction with reduction transfer (square problems only, where every column is
     * matched so its dual is free in sign). {@code v[j]} becomes the column minimum, each column is tentatively given
     * to its minimum row (last columns first, one column per row, the cheaper one kept), and a row holding exactly one
     * such column moves its slack to that column so the row ends with two columns at its minimum reduced cost.
     * Invariant afterwards: every assigned row's column attains the row minimum of {@code c[i][j] - v[j]}.
     */
    void columnReduction(double[] c, int n, double[] v, int[] col4row, int[] row4col) {
        ensureCapacity(n, n);
        double[] cm = colMin;
        int[] am = argColMin;
        System.arraycopy(c, 0, cm, 0, n);
        Arrays.fill(am, 0, n, 0);
        for (int i = 1; i < n; i++) {
            int base = i * n;
            for (int j = 0; j < n; j++) {
                if (c[base + j] < cm[j]) {
                    cm[j] = c[base + j];
                    am[j] = i;
                }
            }
        }
        int[] matches = freeRows; // reused as a per-row counter here
        Arrays.fill(matches, 0, n, 0);
        for (int j = n - 1; j >= 0; j--) {
            v[j] = cm[j];
            int i = am[j];
            if (++matches[i] == 1) {
                col4row[i] = j;
                row4col[j] = i;
            } else if (cm[j] < cm[col4row[i]]) {
                row4col[col4row[i]] = -1;
                col4row[i] = j;
                row4col[j] = i;
            }
        }
        for (int i = 0; i < n && n > 1; i++) {
            if (matches[i] == 1) {
                int j1 = col4row[i];
                int base = i * n;
                double min = Double.POSITIVE_INFINITY;
                for (int j = 0; j < n; j++) {
                    if (j != j1) {
                        min = Math.min(min, c[base + j] - v[j]);
                    }
                }
                v[j1] -= min;
            }
        }
    }

    /**
     * Jonker-Volgenant augmenting row reduction, two passes over the free rows: a free row takes the column of its
     * smallest reduced cost, lowering that column's dual by the gap to its second smallest (an auction bid), and the
     * row it displaces becomes free. Keeps the invariant of {@link #columnReduction} and keeps {@code v[j] = 0} on
     * unassigned columns (they are never bid on without being assigned), so it is valid for rectangular problems. The
     * number of row scans is capped: tiny bid increments could otherwise loop for long; stopping early is safe because
     * the shortest-augmenting-path phase finishes whatever rows are still free.
     */
    void augmentingRowReduction(double[] c, int n, int m, double[] v, int[] col4row, int[] row4col) {
        ensureCapacity(n, m);
        int[] free = freeRows;
        int numFree = 0;
        for (int i = 0; i < n; i++) {
            if (col4row[i] < 0) {
                free[numFree++] = i;
            }
        }
        long budget = scansPerRow * (long) n;
        for (int pass = 0; pass < 2; pass++) {
            int previous = numFree;
            numFree = 0;
            int k = 0;
            while (k < previous) {
                if (--budget < 0) {
                    return;
                }
                int i = free[k++];
                int base = i * m;
                double umin = c[base] - v[0];
                int j1 = 0;
                double usub = Double.POSITIVE_INFINITY;
                int j2 = -1;
                for (int j = 1; j < m; j++) {
                    double h = c[base + j] - v[j];
                    if (h < usub) {
                        if (h >= umin) {
                            usub = h;
                            j2 = j;
                        } else {
                            usub = umin;
                            j2 = j1;
                            umin = h;
                            j1 = j;
                        }
                    }
                }
                int i0 = row4col[j1];
                boolean strict = umin < usub;
                if (strict) {
                    v[j1] -= usub - umin;
                } else if (i0 >= 0) {
                    j1 = j2;
                    i0 = row4col[j2];
                }
                if (i0 >= 0) {
                    col4row[i0] = -1;
                }
                col4row[i] = j1;
                row4col[j1] = i;
                if (i0 >= 0) {
                    if (strict) {
                        free[--k] = i0;
                    } else {
                        free[numFree++] = i0;
                    }
                }
            }
        }
    }
}
