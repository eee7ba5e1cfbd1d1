package org.detrkd.suites.run;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.PriorityQueue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The suite's ETA when {@code --jobs N} runs cells side by side ({@link CellProcesses}): each child only knows its own
 * cell, so the parent combines the running cells' own ETAs with the cells still queued. A queued cell is assumed to
 * take as long as the cells finished in this run took on average (or, before any has finished, as long as the running
 * cells' elapsed time plus ETA), and the queue is played out over the N slots as the parent schedules it: each queued
 * cell starts on the slot that frees first. The ETA is when the last slot frees.
 */
final class SuiteEta {
    private static final Pattern CELL_ETA = Pattern.compile("ETA cell (\\d+)([hm])(\\d+)([ms])");

    private SuiteEta() {}

    /**
     * A running cell as the parent sees it.
     *
     * @param elapsedSeconds since its child started
     * @param etaSeconds its own ETA from its latest progress line, or NaN before the first line
     */
    record Running(double elapsedSeconds, double etaSeconds) {}

    /**
     * @param running the running cells
     * @param queued cells not started yet
     * @param finishedSeconds wall times of the cells that ended in this run
     * @param jobs cells at once
     * @return seconds until every cell is done, or empty when no duration is known yet
     */
    static OptionalDouble estimate(List<Running> running, int queued, List<Double> finishedSeconds, int jobs) {
        List<Double> known = new ArrayList<>();
        for (Running r : running) {
            if (!Double.isNaN(r.etaSeconds())) {
                known.add(r.elapsedSeconds() + r.etaSeconds());
            }
        }
        List<Double> basis = finishedSeconds.isEmpty() ? known : finishedSeconds;
        double cell = basis.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        if (Double.isNaN(cell) && (queued > 0 || known.size() < running.size())) {
            return OptionalDouble.empty();
        }
        PriorityQueue<Double> slots = new PriorityQueue<>();
        for (Running r : running) {
            slots.add(Double.isNaN(r.etaSeconds()) ? Math.max(0, cell - r.elapsedSeconds()) : r.etaSeconds());
        }
        while (slots.size() < Math.max(1, jobs)) {
            slots.add(0.0);
        }
        for (int i = 0; i < queued; i++) {
            slots.add(slots.poll() + cell);
        }
        double end = 0;
        for (double s : slots) {
            end = Math.max(end, s);
        }
        return OptionalDouble.of(end);
    }

    /**
     * @param progressLine a child's progress line ({@link Progress}: "... ETA cell 5m08s suite 5m08s")
     * @return its cell ETA in seconds, or NaN when the line has none
     */
    static double cellEta(String progressLine) {
        Matcher m = CELL_ETA.matcher(progressLine == null ? "" : progressLine);
        if (!m.find()) {
            return Double.NaN;
        }
        long a = Long.parseLong(m.group(1));
        long b = Long.parseLong(m.group(3));
        return m.group(2).equals("h") ? a * 3600 + b * 60 : a * 60 + b;
    }

    /**
     * @param progressLine a child's progress line
     * @return the line without its own suite ETA, which covers only the child's one cell
     */
    static String withoutSuiteEta(String progressLine) {
        return progressLine.replaceFirst(" suite \\d+[hm]\\d+[ms]\\s*$", "");
    }

    /** @return the summary line: finished, running and queued cells and the suite's ETA */
    static String line(int done, int running, int queued, int total, OptionalDouble eta) {
        return String.format(Locale.ROOT, "suite: %d of %d cells done, %d running, %d queued; ETA suite %s", done,
                total, running, queued, eta.isPresent() ? Progress.human(eta.getAsDouble()) : "unknown yet");
    }
}
