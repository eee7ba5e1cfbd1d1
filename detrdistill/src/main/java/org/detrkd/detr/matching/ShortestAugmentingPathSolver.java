package org.detrkd.detr.matching;

import java.util.Arrays;

/**
 * Exact rectangular linear-assignment solver by shortest augmenting paths: the Jonker-Volgenant family that scipy's
 * {@code linear_sum_assignment} uses, with the Jonker-Volgenant initialisation in front.
 *
 * <p>References: D. F. Crouse, "On implementing 2D rectangular assignment algorithms", IEEE Transactions on
 * Aerospace and Electronic Systems 52(4), 2016, Algorithm 1 (the shortest augmenting path step with its dual update;
 * scipy's {@code rectangular_lsap.cpp} implements the same), and R. Jonker, A. Volgenant, Computing 38, 1987 (LAPJV:
 * column reduction and augmenting row reduction, see {@link JonkerVolgenantInit}).
 *
 * <p>Steps: (1) orient the matrix so that it has {@code n <= m} rows (a copy is transposed internally when
 * {@code rows > cols}); (2) the LAPJV initialisation assigns most rows cheaply and sets column duals {@code v};
 * (3) each row still free is inserted by a Dijkstra search over the reduced costs {@code c[i][j] - u[i] - v[j]},
 * which are {@code >= 0} for assigned rows, to the nearest unassigned column, followed by Crouse's dual update (every
 * matched entry keeps reduced cost 0) and the flip of the matching along the path. Each search costs
 * {@code O(n * m)} at worst, so a solve is {@code O(n^2 * m)}; on dense random problems the initialisation leaves only
 * a few searches. For {@code n < m}, unassigned columns keep {@code v = 0} and assigned ones {@code v <= 0}, the dual
 * conditions of the rectangular problem, so every row is matched at minimum total cost.
 *
 * <p>All arithmetic is in double precision on flat arrays. Among columns at equal distance the search prefers an
 * unassigned one, as Crouse and scipy do. With a unique optimum the result is the one scipy returns; with ties it is
 * one of the optimal assignments (not necessarily scipy's). Optimality is exact up to double rounding of the dual
 * values, i.e. two assignments whose totals differ by a few ulps of the costs' magnitude may be confused.
 *
 * <p>Thread safety: an instance keeps its work arrays between calls (they grow to the largest problem seen), so the
 * inner loops never allocate. One instance must be used by one thread at a time; use one instance per thread (or
 * per matcher) for parallel work. The returned {@link Assignment} owns fresh arrays; the input is not modified.
 */
public final class ShortestAugmentingPathSolver implements LinearAssignmentSolver {
    /**
     * Largest accepted {@code |cost|}: dual values and path lengths are sums of at most {@code 2 * min(R, C)} costs,
     * and this bound keeps them far from overflow. Finite costs beyond it are rejected like infinite ones.
     */
    public static final double MAX_ABS_COST = 1e250;

    // Work arrays, reused across calls; sized for n rows (<= m columns) after orientation.
    private double[] transposed = new double[0]; // [m, n] input seen as [n, m] when rows > cols
    private double[] u = new double[0]; // [n] row duals
    private double[] v = new double[0]; // [m] column duals
    private double[] shortestPathCosts = new double[0]; // [m] Dijkstra distance of each settled column
    private int[] path = new int[0]; // [m] predecessor row of each settled column on the shortest path tree
    private int[] col4row = new int[0]; // [n] column matched to each row, -1 if none
    private int[] row4col = new int[0]; // [m] row matched to each column, -1 if none
    private int[] scannedCols = new int[0]; // [m] columns settled by the current search, in settle order (SC)
    private int[] remaining = new int[0]; // [m] columns not yet settled, first numRemaining entries
    private double[] remV = new double[0]; // [m] v of remaining[it]
    private double[] remDist = new double[0]; // [m] tentative distance of remaining[it]
    private int[] remPath = new int[0]; // [m] tentative predecessor row of remaining[it]
    private int[] freeRows = new int[0]; // [n] rows left unassigned by the initialisation
    private final boolean columnReduction;
    private final JonkerVolgenantInit init;

    /** A solver with the LAPJV initialisation at its default settings. */
    public ShortestAugmentingPathSolver() {
        this(true, JonkerVolgenantInit.DEFAULT_SCANS_PER_ROW);
    }

    /**
     * For tests and measurements: {@code (false, 0)} is the plain shortest-augmenting-path algorithm (scipy's), and a
     * large {@code arrScansPerRow} lets augmenting row reduction run its two passes to the end.
     *
     * @param columnReduction whether square problems start with LAPJV column reduction
     * @param arrScansPerRow cap on augmenting-row-reduction row scans per row, 0 to skip that phase
     */
    ShortestAugmentingPathSolver(boolean columnReduction, int arrScansPerRow) {
        this.columnReduction = columnReduction;
        this.init = new JonkerVolgenantInit(arrScansPerRow);
    }

    @Override
    public String toString() {
        return "ShortestAugmentingPathSolver[columnReduction=" + columnReduction + ", " + init + "]";
    }

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
        if (columnReduction && n == m) {
            init.columnReduction(c, n, v, col4row, row4col);
        }
        if (m >= 2) {
            init.augmentingRowReduction(c, n, m, v, col4row, row4col);
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
            remV = new double[m];
            remDist = new double[m];
            remPath = new int[m];
        }
        Arrays.fill(u, 0, n, 0.0);
        Arrays.fill(v, 0, m, 0.0);
        Arrays.fill(col4row, 0, n, -1);
        Arrays.fill(row4col, 0, m, -1);
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
     *
     * <p>The columns not yet settled are kept compacted in {@code remaining} together with their dual, tentative
     * distance and predecessor row at the same position ({@code remV, remDist, remPath}); a settled column is removed
     * by moving the last one into its place. The inner loop thus reads sequential arrays plus one gathered cost per
     * column, and a column's distance and predecessor are copied out only when it is settled.
     */
    private void augment(double[] c, int m, int curRow) {
        double[] rv = remV;
        double[] rd = remDist;
        int[] rp = remPath;
        int[] rem = remaining;
        int[] r4c = row4col;
        for (int it = 0; it < m; it++) {
            int j = m - 1 - it; // reversed, as scipy: swap-with-last removal then visits low columns late
            rem[it] = j;
            rv[it] = v[j];
            rd[it] = Double.POSITIVE_INFINITY;
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
                double r = offset + c[base + rem[it]] - rv[it];
                double d = rd[it];
                if (r < d) {
                    rp[it] = i;
                    rd[it] = r;
                    d = r;
                }
                // Among equal distances prefer a free column: it ends the search (matters for integer costs).
                if (d < lowest || (d == lowest && r4c[rem[it]] < 0)) {
                    lowest = d;
                    index = it;
                }
            }
            minVal = lowest;
            int j = rem[index]; // costs are bounded, so some column always has a finite distance
            shortestPathCosts[j] = rd[index];
            path[j] = rp[index];
            scannedCols[numScannedCols++] = j;
            if (r4c[j] < 0) {
                sink = j;
            } else {
                i = r4c[j];
            }
            int last = --numRemaining;
            rem[index] = rem[last];
            rv[index] = rv[last];
            rd[index] = rd[last];
            rp[index] = rp[last];
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
