package org.detrkd.detr.engine;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Locale;
import java.util.Map;

/**
 * Progress lines through SLF4J: epoch, step/total, loss and every term, learning rate, gradient norm, images per
 * second and ETA (from a moving average of the step time, so a slow first step does not dominate).
 */
final class ProgressLog {

    private static final Logger LOG = LoggerFactory.getLogger(TrainingLoop.class);
    private static final double SMOOTHING = 0.1;

    private double meanSeconds = -1;

    /**
     * @param seconds wall time of the step just completed
     */
    void record(double seconds) {
        meanSeconds = meanSeconds < 0 ? seconds : (1 - SMOOTHING) * meanSeconds + SMOOTHING * seconds;
    }

    /**
     * @return the smoothed seconds per step
     */
    double meanSeconds() {
        return meanSeconds;
    }

    void step(StepResult r, int epochs, long totalSteps) {
        if (!LOG.isInfoEnabled()) {
            return;
        }
        long remaining = totalSteps - (r.step() + 1);
        LOG.info(String.format(Locale.ROOT,
                "epoch %d/%d step %d/%d loss %.4f [%s] lr %.3g grad_norm %.4g%s %.1f img/s eta %s",
                r.epoch() + 1, epochs, r.step() + 1, totalSteps, r.loss(), terms(r.terms()), r.lr(), r.gradNorm(),
                r.clipCoefficient() < 1 ? " (clipped)" : "", r.batchSize() / meanSeconds,
                duration(remaining * meanSeconds)));
    }

    void epoch(int epoch, Map<String, Double> means, StepTimings timings, MemoryStats memory) {
        if (!LOG.isInfoEnabled()) {
            return;
        }
        StringBuilder sb = new StringBuilder();
        means.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : " ").append(k)
                .append(String.format(Locale.ROOT, " %.4f", v)));
        LOG.info("epoch {} done: mean {}; per step: {}; {}", epoch + 1, sb, timings.summary(), memory);
    }

    private static String terms(Map<String, Float> terms) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, Float> e : terms.entrySet()) {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(e.getKey()).append(String.format(Locale.ROOT, " %.4f", e.getValue()));
        }
        return sb.toString();
    }

    static String duration(double seconds) {
        long s = Math.round(Math.max(0, seconds));
        return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
    }
}
