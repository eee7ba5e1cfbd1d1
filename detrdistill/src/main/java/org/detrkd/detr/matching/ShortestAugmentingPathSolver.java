package org.detrkd.detr.matching;

import java.util.Arrays;

/**
 * Exact rectangular linear-assignment solver by shortest augmenting paths: the Jonker-Volgenant family that scipy's
 * {@code linear_sum_assignment} uses.
 *
 * <p>Reference: D. F. Crouse, "On implementing 2D rectangular assignment algorithms", IEEE Transactions on
 * Aerospace and Electronic Systems 52(4), 2016, Algorithm 1 (the shortest augmenting path step with dual
 * updates), which is also what scipy's {@code rectangular_lsap.cpp} implements. The matrix is oriented so that it has
 * no more rows than columns (a copy is transposed internally when {@code rows > cols}); then each row in turn is
 * inserted into the matching by a Dijkstra search over reduced costs {@code c[i][j] - u[i] - v[j] >= 0}, after which
 * the duals {@code u, v} are updated so that every matched entry has reduced cost 0. Each augmentation costs
 * {@code O(rows * cols)} in the worst case, so the whole solve is {@code O(min(R, C)^2 * max(R, C))}.
 *
 * <p>All arithmetic is in double precision, on flat {@code double[]} arrays. Among columns at equal distance the
 * search prefers an unassigned one (it ends the path sooner), as Crouse and scipy do; with a unique optimum the
 * result is therefore the same as scipy's, and with ties it is one of the optimal assignments.
 *
 * <p>Thread safety: an instance keeps its work arrays between calls (they grow to the largest problem seen), so the
 * inner loops never allocate. One instance must be used by one thread at a time; use one instance per thread (or
 * per matcher) for parallel work. The returned {@link Assignment} owns fresh arrays.
 */
public final class ShortestAugmentingPathSolver implements LinearAssignmentSolver {
    /** Cap on augmenting-row-reduction row scans, per row of the oriented problem. */
    private static final int ARR_SCANS_PER_ROW = 8;
    /**
     * Largest accepted {@code |cost|}: dual values are sums of a few hundred costs at most, and this bound keeps them
     * (and their differences) far from overflow. Finite costs beyond it are rejected like infinite ones.
     */
    public static final double MAX_ABS_COST = 1e250;

    // Work arrays, reused across calls; sized for n rows (<= m columns) after orientation.
    private double[] transposed = new double[0]; // [m, n] input seen as [n, m] when rows > cols
    private double[] u = new double[0]; // [n] row duals
    private double[] v = new double[0]; // [m] column duals
    private double[] shortestPathCosts = new double[0]; // [m] Dijkstra distances of columns
    private int[] path = new int[0]; // [m] predecessor row of each column on the shortest path tree
    private int[] col4row = new int[0]; // [n] column matched to each row, -1 if none
    private int[] row4col = new int[0]; // [m] row matched to each column, -1 if none
    private int[] scannedCols = new int[0]; // [m] columns settled by the current search, in settle order (SC)
    private int[] remaining = new int[0]; // [m] columns not yet settled, first numRemaining entries
    private int[] freeRows = new int[0]; // [n] unassigned rows (initialisation work list)
    private double[] colMin = new double[0]; // [m] column minima (column reduction)
    private int[] argColMin = new int[0]; // [m] first row of each column minimum

    @Override
    public Assignment solve(double[] cost, int rows, int cols) {
        checkInput(cost, rows, cols);
        if (rows == 0 || cols == 0) {
            return new Assignment(new int[0], new int[0], 0.0);
        }
        boolean transpose = rows > cols;
        int n = transpose ? cols : rows;
        int m = transpose ? rows : cols;
        double[] c = transpose ? transpose(cost, rows, cols) : cost;
        ensureCapacity(n, m);
        if (n == m) {
            columnReduction(c, n);
        }
        if (m >= 2) {
            augmentingRowReduction(c, n, m);
        }
        int numFree = tightenRowDuals(c, n, m);
        for (int k = 0; k < numFree; k++) {
            augment(c, m, freeRows[k]);
        }
        return result(cost, rows, cols, transpose, n);
    }

    private static void checkInput(double[] cost, int rows, int cols) {
        if (cost == null) {
            throw new IllegalArgumentException("cost matrix is null");
        }
        if (rows < 0 || cols < 0) {
            throw new IllegalArgumentException("negative matrix size " + rows + " x " + cols);
        }
        if ((long) rows * cols != cost.length) {
            throw new IllegalArgumentException(
                    "cost has " + cost.length + " entries, expected rows * cols = " + rows + " * " + cols);
        }
        for (int k = 0; k < cost.length; k++) {
            double x = cost[k];
            if (!(Math.abs(x) <= MAX_ABS_COST)) {
                throw new IllegalArgumentException("cost[" + (k / cols) + "][" + (k % cols) + "] is " + x
                        + (Double.isFinite(x) ? "; costs must lie within +-" + MAX_ABS_COST
                                : "; every cost must be finite"));
            }
        }
    }

    private double[] transpose(double[] cost, int rows, int cols) {
        if (transposed.length < cost.length) {
            transposed = new double[cost.length];
        }
        double[] t = transposed;
        for (int r = 0; r < rows; r++) {
            int base = r * cols;
            for (int c = 0; c < cols; c++) {
                t[c * rows + r] = cost[base + c];
            }
        }
        return t;
    }

    private void ensureCapacity(int n, int m) {
        if (u.length < n) {
            u = new double[n];
            col4row = new int[n];
            freeRows = new int[n];
        }
        if (v.length < m) {
            v = new double[m];
            shortestPathCosts = new double[m];
            path = new int[m];
            row4col = new int[m];
            scannedCols = new int[m];
            remaining = new int[m];
            colMin = new double[m];
            argColMin = new int[m];
        }
        Arrays.fill(u, 0, n, 0.0);
        Arrays.fill(v, 0, m, 0.0);
        Arrays.fill(col4row, 0, n, -1);
        Arrays.fill(row4col, 0, m, -1);
    }

    /**
     * Jonker-Volgenant column reduction with reduction transfer (square problems only, where every column is
     * matched so its dual is free in sign). {@code v[j]} becomes the column minimum, each column is tentatively given
     * to its minimum row (last columns first, one column per row, the cheaper one kept), and a row holding exactly one
     * such column moves its slack to that column so the row ends with two columns at its minimum reduced cost.
     * Invariant afterwards: every assigned row's column attains the row minimum of {@code c[i][j] - v[j]}.
     */
    private void columnReduction(double[] c, int n) {
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
        for (int i = 0; i < n; i++) {
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
    private void augmentingRowReduction(double[] c, int n, int m) {
        int[] free = freeRows;
        int numFree = 0;
        for (int i = 0; i < n; i++) {
            if (col4row[i] < 0) {
                free[numFree++] = i;
            }
        }
        long budget = ARR_SCANS_PER_ROW * (long) n;
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

    /**
     * Sets {@code u[i] = c[i][col4row[i]] - v[col4row[i]]} on assigned rows (their minimum reduced cost, so every
     * reduced cost of an assigned row is {@code >= 0} and 0 on its match) and lists the free rows in increasing order.
     *
     * @return the number of free rows, listed in {@code freeRows}
     */
    private int tightenRowDuals(double[] c, int n, int m) {
        int numFree = 0;
        for (int i = 0; i < n; i++) {
            int j = col4row[i];
            if (j >= 0) {
                u[i] = c[i * m + j] - v[j];
            } else {
                u[i] = 0.0;
                freeRows[numFree++] = i;
            }
        }
        return numFree;
    }

    /**
     * Inserts row {@code curRow} into the matching: Dijkstra from that row to the nearest unassigned column over
     * reduced costs, then the dual update and the flip of the matching along the path.
     */
    private void augment(double[] c, int m, int curRow) {
        double[] spc = shortestPathCosts;
        double[] vv = v;
        int[] rem = remaining;
        int[] r4c = row4col;
        int[] pth = path;
        for (int it = 0; it < m; it++) {
            rem[it] = m - 1 - it; // reversed, so that removal by swap-with-last keeps low columns late (scipy order)
            spc[it] = Double.POSITIVE_INFINITY;
        }
        int numRemaining = m;
        int numScannedCols = 0;
        double minVal = 0.0;
        int i = curRow;
        int sink = -1;
        while (sink < 0) {
            int base = i * m;
            double offset = minVal - u[i];
            double lowest = Double.POSITIVE_INFINITY;
            int index = -1;
            for (int it = 0; it < numRemaining; it++) {
                int j = rem[it];
                double r = offset + c[base + j] - vv[j];
                double d = spc[j];
                if (r < d) {
                    pth[j] = i;
                    spc[j] = r;
                    d = r;
                }
                if (d < lowest || (d == lowest && r4c[j] < 0)) {
                    lowest = d;
                    index = it;
                }
            }
            minVal = lowest;
            int j = rem[index]; // finite costs: index is always found
            if (r4c[j] < 0) {
                sink = j;
            } else {
                i = r4c[j];
            }
            scannedCols[numScannedCols++] = j;
            rem[index] = rem[--numRemaining];
        }
        updateDuals(curRow, numScannedCols, minVal);
        flipPath(curRow, sink);
    }

    /**
     * Dual update after a search that settled {@code scannedCols} (the last one is the sink): each settled column
     * moves by {@code minVal - dist(j)}, and so does the row matched to it (a settled non-sink column is matched, and
     * its row was scanned); the start row moves by {@code minVal}. Reduced costs stay non-negative and are 0 on the
     * matched entries and along the augmenting path.
     */
    private void updateDuals(int curRow, int numScannedCols, double minVal) {
        u[curRow] += minVal;
        for (int k = 0; k < numScannedCols; k++) {
            int j = scannedCols[k];
            double delta = minVal - shortestPathCosts[j];
            v[j] -= delta;
            int r = row4col[j];
            if (r >= 0) {
                u[r] += delta;
            }
        }
    }

    private void flipPath(int curRow, int sink) {
        int j = sink;
        while (true) {
            int i = path[j];
            row4col[j] = i;
            int previous = col4row[i];
            col4row[i] = j;
            j = previous;
            if (i == curRow) {
                return;
            }
        }
    }

    private Assignment result(double[] cost, int rows, int cols, boolean transpose, int n) {
        int[] outRows = new int[n];
        int[] outCols = new int[n];
        if (!transpose) {
            for (int r = 0; r < n; r++) {
                outRows[r] = r;
                outCols[r] = col4row[r];
            }
        } else {
            // Oriented rows are original columns; list the original rows in increasing order.
            int k = 0;
            for (int origRow = 0; origRow < rows; origRow++) {
                int origCol = row4col[origRow];
                if (origCol >= 0) {
                    outRows[k] = origRow;
                    outCols[k] = origCol;
                    k++;
                }
            }
        }
        double total = 0.0;
        for (int k = 0; k < n; k++) {
            total += cost[outRows[k] * cols + outCols[k]];
        }
        return new Assignment(outRows, outCols, total);
    }
}
