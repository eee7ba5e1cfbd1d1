package org.detrkd.reports.check;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Compares each cell's AP with a baseline's: a cell whose AP dropped by more than the tolerance (AP points, 0-100)
 * or that failed where the baseline finished is a regression; a baseline cell absent from the new results is
 * reported as missing. Cells are matched by suite, scale, cell id and seed; output lines are sorted by that key.
 */
public final class RegressionCheck {
    private static final double EPS = 1e-9;

    /**
     * The outcome.
     *
     * @param compared cells present in both
     * @param regressions one line per regressed cell
     * @param missing one line per baseline cell absent from the new results
     * @param added how many new cells the baseline does not have
     */
    public record Outcome(int compared, List<String> regressions, List<String> missing, int added) {
        /** Whether any cell regressed. */
        public boolean failed() {
            return !regressions.isEmpty();
        }
    }

    private RegressionCheck() {
    }

    /**
     * @param current the new results
     * @param baseline the reference results
     * @param tolerance allowed AP drop in points (0-100 scale)
     */
    public static Outcome compare(List<CellAp> current, List<CellAp> baseline, double tolerance) {
        Map<String, CellAp> now = index(current);
        Map<String, CellAp> ref = index(baseline);
        List<String> regressions = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        int compared = 0;
        for (Map.Entry<String, CellAp> e : ref.entrySet()) {
            CellAp b = e.getValue();
            CellAp n = now.get(e.getKey());
            if (n == null) {
                missing.add("MISSING " + b.label() + ": in the baseline, not in the new results");
                continue;
            }
            compared++;
            if (b.ap() == null) {
                continue;
            }
            if (n.ap() == null) {
                regressions.add(String.format(Locale.ROOT, "FAILED %s: baseline AP %.2f, now failed: %s",
                        n.label(), 100 * b.ap(), n.failure()));
            } else {
                double drop = 100 * (b.ap() - n.ap());
                if (drop > tolerance + EPS) {
                    regressions.add(String.format(Locale.ROOT,
                            "REGRESSION %s: AP %.2f -> %.2f (%+.2f points, tolerance %.2f)",
                            n.label(), 100 * b.ap(), 100 * n.ap(), -drop, tolerance));
                }
            }
        }
        int added = (int) now.keySet().stream().filter(k -> !ref.containsKey(k)).count();
        return new Outcome(compared, regressions, missing, added);
    }

    private static Map<String, CellAp> index(List<CellAp> cells) {
        Map<String, CellAp> out = new TreeMap<>();
        cells.forEach(c -> out.put(c.key(), c));
        return out;
    }
}
