package org.detrkd.reports.aggregate;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.detrkd.reports.model.CocoMetrics;
import org.detrkd.reports.model.LoadedResult;

/**
 * One row of a report table: the seeds of one (suite, scale, group, row, column, preset), with our numbers beside
 * the paper's. All numbers are AP points on the paper's 0-100 scale.
 *
 * @param key the row's identity
 * @param table the paper table key, or null
 * @param method method name (of the first cell)
 * @param detector detector name (of the first cell)
 * @param epochs schedule (of the first cell)
 * @param cells the cells (all seeds, finished or failed), sorted by seed
 * @param failed how many cells failed
 * @param stats per metric (all 12 COCO names), mean and sample std over finished seeds
 * @param baseline whether this row is the baseline of its group (the plain student)
 * @param baselineRow the row our change is taken against, or null (this row is the baseline, or none found)
 * @param changes our change against the baseline and its noise, for AP, APs, APm, APl where both exist
 * @param paper the paper's numbers for this row (AP, APs, APm, APl or a subset), empty if none
 * @param paperDelta the paper's number minus its baseline row's, where both exist
 * @param verdicts per metric with both our change and the paper's, the {@link DirectionRule} verdict
 */
public record AggregateRow(
        RowKey key, String table, String method, String detector, int epochs,
        List<LoadedResult> cells, int failed, Map<String, Stat> stats, boolean baseline, String baselineRow,
        Map<String, Change> changes, Map<String, Double> paper, Map<String, Double> paperDelta,
        Map<String, Verdict> verdicts) {

    /** Our mean minus the baseline's mean, per metric with a change. */
    public Map<String, Double> delta() {
        Map<String, Double> out = new LinkedHashMap<>();
        changes.forEach((m, c) -> out.put(m, c.delta()));
        return out;
    }

    /** Metrics whose change is clearly of the opposite sign to the paper's ({@link Verdict#DISAGREE}). */
    public Set<String> disagree() {
        Set<String> out = new TreeSet<>(Comparator.comparingInt(CocoMetrics.NAMES::indexOf));
        verdicts.forEach((m, v) -> {
            if (v == Verdict.DISAGREE) {
                out.add(m);
            }
        });
        return out;
    }

    /** Whether any metric clearly disagrees in direction with the paper. */
    public boolean anyDisagree() {
        return verdicts.containsValue(Verdict.DISAGREE);
    }
}
