package org.detrkd.detr.matching;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

/** Shared checks on an {@link Assignment}: structure, and the total against the matrix. */
final class AssignmentAsserts {
    private AssignmentAsserts() {}

    /**
     * Asserts that {@code a} is a complete rectangular assignment of {@code [rows, cols]}: {@code min(rows, cols)}
     * pairs, rows strictly increasing and in range, distinct columns in range, and {@code total} equal to the sum of
     * the chosen entries in row order.
     */
    static void assertValid(Assignment a, double[] cost, int rows, int cols, String label) {
        int n = Math.min(rows, cols);
        assertEquals(a.rows().length, n, label + ": number of rows");
        assertEquals(a.cols().length, n, label + ": number of cols");
        boolean[] seen = new boolean[cols];
        double sum = 0.0;
        for (int k = 0; k < n; k++) {
            int r = a.rows()[k];
            int c = a.cols()[k];
            assertTrue(r >= 0 && r < rows, label + ": row " + r + " out of range");
            assertTrue(c >= 0 && c < cols, label + ": col " + c + " out of range");
            if (k > 0) {
                assertTrue(r > a.rows()[k - 1], label + ": rows not increasing at " + k);
            }
            assertTrue(!seen[c], label + ": column " + c + " used twice");
            seen[c] = true;
            sum += cost[r * cols + c];
        }
        assertEquals(a.total(), sum, 0.0, label + ": total is not the sum of the chosen entries");
    }

    /** {@code |actual - expected| <= rtol * |expected|} (exact when expected is 0). */
    static void assertTotal(double actual, double expected, double rtol, String label) {
        double allowed = rtol * Math.abs(expected);
        assertTrue(Math.abs(actual - expected) <= allowed,
                label + ": total " + actual + " != optimum " + expected + " (rtol " + rtol + ")");
    }
}
