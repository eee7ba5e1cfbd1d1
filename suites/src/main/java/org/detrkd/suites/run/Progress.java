package org.detrkd.suites.run;

import java.util.Locale;
import org.detrkd.detr.engine.StepResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Terminal progress of a suite run through SLF4J: cell i of n, epoch, step, loss, images per second and the ETA of
 * the cell and of the suite. The suite's ETA assumes the later cells step as fast as the steps seen so far (teachers
 * of later cells not yet in the cache are counted as cells).
 */
final class Progress {
    private static final Logger LOG = LoggerFactory.getLogger(Progress.class);

    private final int logEvery;
    private double stepSeconds;
    private long stepsSeen;
    private String label = "";
    private long laterSteps;

    /** @param logEvery log every this many steps (and at each epoch end) */
    Progress(int logEvery) {
        this.logEvery = Math.max(1, logEvery);
    }

    /** The log interval in steps. */
    int every() {
        return logEvery;
    }

    /**
     * Starts a unit of work (a cell or a teacher).
     *
     * @param label {@code cell 2/5 conditional.student.seed0}
     * @param laterSteps training steps of the units still to come after this one
     */
    void start(String label, long laterSteps) {
        this.label = label;
        this.laterSteps = laterSteps;
        LOG.info("{}: starting", label);
    }

    /** Logs one step when due. */
    void step(StepResult r, long totalSteps, long stepsPerEpoch, int epochs) {
        stepSeconds += r.seconds();
        stepsSeen++;
        long done = r.step() + 1;
        if (done % logEvery != 0 && done % stepsPerEpoch != 0 && done != 1) {
            return;
        }
        double perStep = stepSeconds / stepsSeen;
        double cellEta = (totalSteps - done) * perStep;
        LOG.info(String.format(Locale.ROOT, "%s: epoch %d/%d step %d/%d loss %.4f %.1f img/s ETA cell %s suite %s",
                label, r.epoch() + 1, epochs, done, totalSteps, r.loss(), r.batchSize() / Math.max(1e-9, r.seconds()),
                human(cellEta), human(cellEta + laterSteps * perStep)));
    }

    static String human(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, s % 3600 / 60)
                : String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
}
