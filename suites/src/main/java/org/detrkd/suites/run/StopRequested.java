package org.detrkd.suites.run;

/**
 * Thrown when a run was asked to stop after a number of steps ({@code --stop-after-steps}): it simulates a kill
 * without writing anything beyond the epoch checkpoints already on disk, so the next run resumes as after a crash.
 */
public final class StopRequested extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param step the completed steps at which the cell stopped */
    StopRequested(String runId, long step) {
        super("stopped " + runId + " after step " + step + " as asked (--stop-after-steps); run the same command "
                + "again to continue");
    }
}
