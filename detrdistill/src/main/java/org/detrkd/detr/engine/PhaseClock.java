package org.detrkd.detr.engine;

import org.detrkd.detr.engine.StepTimings.Phase;

/**
 * Splits one training step's wall time into {@link StepTimings} phases: each {@link #mark} charges the time since the
 * previous mark (or the start) to a phase.
 */
final class PhaseClock {
    private final StepTimings timings;
    private final long start = System.nanoTime();
    private long last = start;

    PhaseClock(StepTimings timings) {
        this.timings = timings;
    }

    /** @param phase the phase the time since the previous mark belongs to */
    void mark(Phase phase) {
        long now = System.nanoTime();
        timings.add(phase, now - last);
        last = now;
    }

    /** @return seconds from the clock's start to the last mark */
    double secondsToLastMark() {
        return (last - start) / 1e9;
    }
}
