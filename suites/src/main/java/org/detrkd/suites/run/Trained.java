package org.detrkd.suites.run;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import org.detrkd.reports.model.EpochRecord;

/**
 * A finished training, as the teacher cache stores it ({@code outcome.json}) and a result record needs it.
 *
 * @param stats pycocotools' 12 bbox statistics on {@code val} (0-1)
 * @param history per-epoch AP and mean loss terms
 * @param steps completed steps
 * @param trainSeconds time in training steps (all invocations)
 * @param wallSeconds wall time (all invocations)
 * @param peakRssBytes peak resident set size of the (last) process
 */
record Trained(@JsonProperty("stats") double[] stats, @JsonProperty("history") List<EpochRecord> history,
        @JsonProperty("steps") long steps, @JsonProperty("train_seconds") double trainSeconds,
        @JsonProperty("wall_seconds") double wallSeconds, @JsonProperty("peak_rss_bytes") long peakRssBytes) {

    static Trained of(ModelTraining.Outcome o) {
        return new Trained(o.result().stats().clone(), o.history(), o.steps(), o.trainSeconds(), o.wallSeconds(),
                o.peakRssBytes());
    }

    /** Training steps per second (0 when none ran). */
    double stepsPerSecond() {
        return trainSeconds > 0 ? steps / trainSeconds : 0;
    }
}
