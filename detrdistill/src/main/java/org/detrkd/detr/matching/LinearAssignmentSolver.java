package org.detrkd.detr.matching;

/**
 * Solves the rectangular linear assignment problem: given a dense {@code rows x cols} cost matrix, pick
 * {@code min(rows, cols)} entries, at most one per row and per column, with the smallest total cost.
 *
 * <p>Same contract as scipy's {@code linear_sum_assignment(cost)} (minimisation): the returned row indices are
 * increasing, and {@code cols[i]} is the column assigned to {@code rows[i]}. Rectangular both ways: for
 * {@code rows <= cols} every row is matched; for {@code rows > cols} every column is matched and the
 * {@code rows - cols} unmatched rows are absent from {@code rows}. An empty matrix ({@code 5 x 0}, {@code 0 x 5}) gives
 * an empty assignment with total 0. When several assignments are optimal any one of them may be returned.
 *
 * <p>Implementations: {@link ShortestAugmentingPathSolver}.
 */
public interface LinearAssignmentSolver {

    /**
     * @param cost row-major costs, {@code cost[r * cols + c]}; every entry finite
     * @param rows number of rows
     * @param cols number of columns
     * @return the optimal assignment
     * @throws IllegalArgumentException if the matrix holds NaN or infinite entries, or the sizes do not fit
     */
    Assignment solve(double[] cost, int rows, int cols);
}
