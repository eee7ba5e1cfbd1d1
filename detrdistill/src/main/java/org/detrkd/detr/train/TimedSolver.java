package org.detrkd.detr.train;

import org.detrkd.detr.matching.Assignment;
import org.detrkd.detr.matching.LinearAssignmentSolver;

/** A {@link LinearAssignmentSolver} decorator that adds up the wall time spent solving (for the step benchmark). */
final class TimedSolver implements LinearAssignmentSolver {

    private final LinearAssignmentSolver inner;
    private long nanos;

    TimedSolver(LinearAssignmentSolver inner) {
        this.inner = inner;
    }

    @Override
    public Assignment solve(double[] cost, int rows, int cols) {
        long t = System.nanoTime();
        try {
            return inner.solve(cost, rows, cols);
        } finally {
            nanos += System.nanoTime() - t;
        }
    }

    /** @return seconds spent so far, then starts again from 0 */
    double takeSeconds() {
        double s = nanos / 1e9;
        nanos = 0;
        return s;
    }
}
