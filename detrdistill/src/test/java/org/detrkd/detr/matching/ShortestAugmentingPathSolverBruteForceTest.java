package org.detrkd.detr.matching;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import java.util.SplittableRandom;
import org.testng.annotations.DataProvider;
import org.testng.annotations.Test;

/**
 * The solver against exhaustive enumeration on a few hundred random small problems, square and rectangular both
 * ways up to 7 x 9 / 9 x 7: integer costs with many ties, negative integers, uniform floats, large (1e6-1e7), mixed
 * (1e6-1e7 and [0, 1)) and tiny (1e-7) magnitudes, duplicated columns. One solver instance is reused for every problem, so the reuse of work arrays across
 * sizes and orientations is exercised too.
 */
public class ShortestAugmentingPathSolverBruteForceTest {
    private static final int PROBLEMS_PER_KIND = 80;

    private enum Kind { SMALL_INTEGERS, SIGNED_INTEGERS, UNIFORM, LARGE, MIXED_MAGNITUDE, TINY, DUPLICATE_COLUMNS }

    /** Default solver, plain shortest augmenting paths (scipy's), and augmenting row reduction run to completion. */
    @DataProvider(name = "solvers")
    public Object[][] solvers() {
        return new Object[][] {
            {"default", new ShortestAugmentingPathSolver()},
            {"plain SAP", new ShortestAugmentingPathSolver(false, 0)},
            {"full row reduction", new ShortestAugmentingPathSolver(true, 1_000_000)},
            {"row reduction only", new ShortestAugmentingPathSolver(false, 1_000_000)},
        };
    }

    @Test(dataProvider = "solvers")
    public void matchesExhaustiveSearch(String variant, ShortestAugmentingPathSolver solver) {
        SplittableRandom random = new SplittableRandom(20240607L);
        int checkedUnique = 0;
        int checkedTies = 0;
        for (Kind kind : Kind.values()) {
            for (int p = 0; p < PROBLEMS_PER_KIND; p++) {
                int rows = 1 + random.nextInt(p % 10 == 0 ? 9 : 7);
                int cols = 1 + random.nextInt(p % 10 == 5 ? 9 : 7);
                double[] cost = generate(kind, rows, cols, random);
                double[] copy = cost.clone();
                String label = variant + " " + kind + " #" + p + " " + rows + "x" + cols;

                Assignment a = solver.solve(cost, rows, cols);
                BruteForceAssignment.Result best = BruteForceAssignment.solve(cost, rows, cols);

                assertEquals(cost, copy, label + ": input modified");
                AssignmentAsserts.assertValid(a, cost, rows, cols, label);
                AssignmentAsserts.assertTotal(a.total(), best.total(), isInteger(kind) ? 0.0 : 1e-12, label);
                double gap = best.secondBest() - best.total();
                if (best.numOptimal() == 1 && gap > 1e-9 * Math.max(1.0, Math.abs(best.total()))) {
                    assertEquals(a.rows(), best.rows(), label + ": rows of the unique optimum");
                    assertEquals(a.cols(), best.cols(), label + ": cols of the unique optimum");
                    checkedUnique++;
                } else {
                    checkedTies++;
                }
            }
        }
        // Both branches must have been exercised for the test to mean anything.
        assertTrue(checkedUnique > 100, "unique optima checked: " + checkedUnique);
        assertTrue(checkedTies > 50, "tied optima checked: " + checkedTies);
    }

    private static boolean isInteger(Kind kind) {
        return kind == Kind.SMALL_INTEGERS || kind == Kind.SIGNED_INTEGERS || kind == Kind.DUPLICATE_COLUMNS;
    }

    static double[] generate(Kind kind, int rows, int cols, SplittableRandom random) {
        double[] c = new double[rows * cols];
        for (int k = 0; k < c.length; k++) {
            c[k] = switch (kind) {
                case SMALL_INTEGERS -> random.nextInt(4);
                case SIGNED_INTEGERS -> random.nextInt(11) - 5;
                case UNIFORM -> random.nextDouble();
                case LARGE -> 1e6 + 9e6 * random.nextDouble();
                case MIXED_MAGNITUDE -> random.nextBoolean() ? 1e6 * (1 + random.nextInt(10)) : random.nextDouble();
                case TINY -> 1e-7 * (1 + random.nextDouble());
                case DUPLICATE_COLUMNS -> random.nextInt(6);
            };
        }
        if (kind == Kind.DUPLICATE_COLUMNS && cols > 1) {
            int from = random.nextInt(cols);
            int to = random.nextInt(cols);
            for (int r = 0; r < rows; r++) {
                c[r * cols + to] = c[r * cols + from];
            }
        }
        return c;
    }
}
