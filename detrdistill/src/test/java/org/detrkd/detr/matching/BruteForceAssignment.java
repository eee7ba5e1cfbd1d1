package org.detrkd.detr.matching;

/**
 * Test oracle: enumerates every assignment of the smaller side into the larger one (at most {@code 9!/2!} for 7 x 9)
 * and keeps the best and second-best totals, each total summed in row order.
 */
final class BruteForceAssignment {

    /**
     * @param total the optimal total
     * @param secondBest the best total among assignments that differ from {@code rows/cols}; infinite if none
     * @param numOptimal how many assignments reach exactly {@code total}
     * @param rows the first optimal assignment found, increasing rows
     * @param cols its columns
     */
    record Result(double total, double secondBest, int numOptimal, int[] rows, int[] cols) {}

    private final double[] cost;
    private final int rows;
    private final int cols;
    private final boolean byRow; // true: choose a column for every row; false: a row for every column
    private final int[] choice; // per row (byRow) or per column: the chosen partner
    private final boolean[] used;
    private double best = Double.POSITIVE_INFINITY;
    private double second = Double.POSITIVE_INFINITY;
    private int numOptimal;
    private int[] bestChoice;

    private BruteForceAssignment(double[] cost, int rows, int cols) {
        this.cost = cost;
        this.rows = rows;
        this.cols = cols;
        this.byRow = rows <= cols;
        this.choice = new int[byRow ? rows : cols];
        this.used = new boolean[byRow ? cols : rows];
    }

    static Result solve(double[] cost, int rows, int cols) {
        BruteForceAssignment bf = new BruteForceAssignment(cost, rows, cols);
        bf.search(0);
        return bf.result();
    }

    private void search(int k) {
        if (k == choice.length) {
            record(sum());
            return;
        }
        for (int p = 0; p < used.length; p++) {
            if (!used[p]) {
                used[p] = true;
                choice[k] = p;
                search(k + 1);
                used[p] = false;
            }
        }
    }

    /** Sum in increasing row order, as the solver does. */
    private double sum() {
        double s = 0.0;
        if (byRow) {
            for (int r = 0; r < rows; r++) {
                s += cost[r * cols + choice[r]];
            }
        } else {
            int[] colOfRow = colOfRow();
            for (int r = 0; r < rows; r++) {
                if (colOfRow[r] >= 0) {
                    s += cost[r * cols + colOfRow[r]];
                }
            }
        }
        return s;
    }

    private int[] colOfRow() {
        int[] colOfRow = new int[rows];
        java.util.Arrays.fill(colOfRow, -1);
        for (int c = 0; c < cols; c++) {
            colOfRow[choice[c]] = c;
        }
        return colOfRow;
    }

    private void record(double s) {
        if (s < best) {
            second = best;
            best = s;
            numOptimal = 1;
            bestChoice = choice.clone();
        } else if (s == best) {
            second = s;
            numOptimal++;
        } else if (s < second) {
            second = s;
        }
    }

    private Result result() {
        int n = Math.min(rows, cols);
        int[] outRows = new int[n];
        int[] outCols = new int[n];
        if (n == 0) {
            return new Result(0.0, Double.POSITIVE_INFINITY, 1, outRows, outCols);
        }
        System.arraycopy(bestChoice, 0, choice, 0, choice.length);
        int[] colOfRow = byRow ? choice : colOfRow();
        int k = 0;
        for (int r = 0; r < rows; r++) {
            if (colOfRow[r] >= 0) {
                outRows[k] = r;
                outCols[k] = colOfRow[r];
                k++;
            }
        }
        return new Result(best, second, numOptimal, outRows, outCols);
    }
}
