package org.detrkd.datasets.generate;

import java.util.Locale;
import org.slf4j.Logger;

/**
 * Progress of a long loop through SLF4J: done/total, rate and estimated time left, at most every
 * {@code intervalMillis}, so small jobs stay silent and large ones report steadily.
 */
final class ProgressLog {
    private final Logger log;
    private final String label;
    private final int total;
    private final long intervalNanos;
    private final long start = System.nanoTime();
    private long lastReport = start;

    ProgressLog(Logger log, String label, int total, long intervalMillis) {
        this.log = log;
        this.label = label;
        this.total = total;
        this.intervalNanos = intervalMillis * 1_000_000L;
    }

    /** Logs the progress if the interval has passed since the last report. */
    void update(int done) {
        long now = System.nanoTime();
        if (now - lastReport < intervalNanos || done >= total) {
            return;
        }
        lastReport = now;
        double seconds = (now - start) / 1e9;
        double rate = done / seconds;
        double eta = rate > 0 ? (total - done) / rate : Double.NaN;
        log.info(String.format(Locale.ROOT, "%s: %d/%d images (%.0f%%), %.0f images/s, ETA %.0f s",
                label, done, total, 100.0 * done / total, rate, eta));
    }

    /** Seconds since the start. */
    double elapsedSeconds() {
        return (System.nanoTime() - start) / 1e9;
    }
}
