package org.detrkd.suites.run;

import java.util.Map;

/**
 * A cell that cannot run or did not finish (missing detector or method, divergence): the runner records it as a
 * failed {@code result.json} and goes on with the next cell.
 */
final class CellFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final long step;
    private final transient Map<String, Double> terms;

    /**
     * @param message one line
     * @param step the global step at which it failed, -1 outside training
     * @param terms the loss terms at that step (may hold NaN), empty when unknown
     */
    CellFailure(String message, long step, Map<String, Double> terms) {
        super(message);
        this.step = step;
        this.terms = Map.copyOf(terms);
    }

    /** A failure before training started. */
    CellFailure(String message) {
        this(message, -1, Map.of());
    }

    long step() {
        return step;
    }

    Map<String, Double> terms() {
        return terms;
    }
}
