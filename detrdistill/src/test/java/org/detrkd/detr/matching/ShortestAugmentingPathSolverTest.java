package org.detrkd.detr.matching;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.expectThrows;
import static org.testng.Assert.assertTrue;

import java.util.SplittableRandom;
import org.testng.annotations.DataProvider;
import org.testng.annotations.Test;

/**
 * Edge cases and input checks of {@link ShortestAugmentingPathSolver}, and medium-size problems (too large to
 * enumerate) against an independent textbook Hungarian implementation.
 */
public class ShortestAugmentingPathSolverTest {
    private final ShortestAugmentingPathSolver solver = new ShortestAugmentingPathSolver();

    @Test
    public void emptyMatricesGiveEmptyAssignments() {
        for (int[] size : new int[][] {{5, 0}, {0, 5}, {0, 0}}) {
            Assignment a = solver.solve(new double[0], size[0], size[1]);
            assertEquals(a.rows().length, 0);
            assertEquals(a.cols().length, 0);
            assertEquals(a.total(), 0.0, 0.0);
        }
    }

    @Test
    public void oneRowTakesItsCheapestColumn() {
        Assignment a = solver.solve(new double[] {3.0, -1.5, 2.0, 7.0}, 1, 4);
        assertEquals(a.rows(), new int[] {0});
        assertEquals(a.cols(), new int[] {1});
        assertEquals(a.total(), -1.5, 0.0);
    }

    @Test
    public void oneColumnTakesItsCheapestRow() {
        Assignment a = solver.solve(new double[] {3.0, 2.0, 7.0, 0.5, 4.0}, 5, 1);
        assertEquals(a.rows(), new int[] {3});
        assertEquals(a.cols(), new int[] {0});
        assertEquals(a.total(), 0.5, 0.0);
    }

    @Test
    public void oneByOne() {
        Assignment a = solver.solve(new double[] {-4.25}, 1, 1);
        assertEquals(a.rows(), new int[] {0});
        assertEquals(a.cols(), new int[] {0});
        assertEquals(a.total(), -4.25, 0.0);
    }

    @Test
    public void tallMatrixLeavesTheExpensiveRowsOut() {
        // 4 x 2: rows 1 and 3 are cheapest for columns 1 and 0; rows 0 and 2 stay unmatched.
        double[] cost = {5, 5, 9, 1, 5, 5, 2, 9};
        Assignment a = solver.solve(cost, 4, 2);
        assertEquals(a.rows(), new int[] {1, 3});
        assertEquals(a.cols(), new int[] {1, 0});
        assertEquals(a.total(), 3.0, 0.0);
    }

    @Test
    public void rejectsNonFiniteCostsNamingTheEntry() {
        double[][] bad = {{Double.NaN}, {Double.POSITIVE_INFINITY}, {Double.NEGATIVE_INFINITY}};
        for (double[] value : bad) {
            double[] cost = {1, 2, 3, 4, value[0], 6};
            IllegalArgumentException e =
                    expectThrows(IllegalArgumentException.class, () -> solver.solve(cost, 2, 3));
            assertEquals(e.getMessage(), "cost[1][1] is " + value[0] + "; every cost must be finite");
        }
    }

    @Test
    public void rejectsCostsBeyondTheOverflowBound() {
        IllegalArgumentException e = expectThrows(IllegalArgumentException.class,
                () -> solver.solve(new double[] {1, -1e300}, 1, 2));
        assertEquals(e.getMessage(), "cost[0][1] is -1.0E300; costs must lie within +-1.0E250");
    }

    @Test
    public void rejectsInconsistentSizes() {
        IllegalArgumentException e =
                expectThrows(IllegalArgumentException.class, () -> solver.solve(new double[5], 2, 3));
        assertEquals(e.getMessage(), "cost has 5 entries, expected rows * cols = 2 * 3");
        e = expectThrows(IllegalArgumentException.class, () -> solver.solve(new double[0], -1, 0));
        assertEquals(e.getMessage(), "negative matrix size -1 x 0");
        e = expectThrows(IllegalArgumentException.class, () -> solver.solve(null, 1, 1));
        assertEquals(e.getMessage(), "cost matrix is null");
    }

    @Test
    public void allEqualLargeSquareHasTotalNTimesTheValue() {
        int n = 200;
        double[] cost = new double[n * n];
        java.util.Arrays.fill(cost, 0.375);
        Assignment a = solver.solve(cost, n, n);
        AssignmentAsserts.assertValid(a, cost, n, n, "all equal");
        assertEquals(a.total(), 0.375 * n, 0.0);
    }

    @DataProvider(name = "solvers")
    public Object[][] solvers() {
        return new ShortestAugmentingPathSolverBruteForceTest().solvers();
    }

    @Test(dataProvider = "solvers")
    public void mediumProblemsMatchTheTextbookHungarian(String variant, ShortestAugmentingPathSolver solver) {
        SplittableRandom random = new SplittableRandom(77L);
        int[][] sizes = {{50, 50}, {40, 90}, {90, 40}, {300, 20}, {20, 300}, {120, 120}, {64, 65}};
        for (int[] size : sizes) {
            int rows = size[0];
            int cols = size[1];
            for (String kind : new String[] {"uniform", "ties", "mixed", "tiny", "graded"}) {
                double[] cost = new double[rows * cols];
                for (int k = 0; k < cost.length; k++) {
                    int r = k / cols;
                    int c = k % cols;
                    cost[k] = switch (kind) {
                        case "uniform" -> random.nextDouble();
                        case "ties" -> random.nextInt(3);
                        case "mixed" -> random.nextInt(4) == 0 ? 1e6 + 9e6 * random.nextDouble() : random.nextDouble();
                        case "tiny" -> 1e-7 * random.nextDouble();
                        default -> (double) r * c + 1e-9 * random.nextDouble(); // near-ties at every scale
                    };
                }
                String label = variant + " " + kind + " " + rows + "x" + cols;
                Assignment a = solver.solve(cost, rows, cols);
                AssignmentAsserts.assertValid(a, cost, rows, cols, label);
                double expected = ReferenceHungarian.optimalTotal(cost, rows, cols);
                AssignmentAsserts.assertTotal(a.total(), expected, kind.equals("ties") ? 0.0 : 1e-12, label);
            }
        }
    }

    @Test
    public void negativeCostsAreMinimisedNotMaximised() {
        double[] cost = {-1, -10, -3, -4, -2, -6, -7, -8, -5};
        Assignment a = solver.solve(cost, 3, 3);
        // brute force: (0,1),(1,0),(2,2)? -10-4-5=-19; (0,1),(1,2),(2,0) = -10-6-7=-23 is the optimum
        assertTrue(a.total() <= -23.0);
        assertEquals(a.cols(), new int[] {1, 2, 0});
        assertEquals(a.total(), -23.0, 0.0);
    }
}
