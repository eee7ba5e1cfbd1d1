package org.detrkd.reports.aggregate;

import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * @param baselineRow the row our delta is taken against, or null (this row is the baseline, or none found)
 * @param delta our mean minus the baseline's mean, for AP, APs, APm, APl where both exist
 * @param paper the paper's numbers for this row (AP, APs, APm, APl or a subset), empty if none
 * @param paperDelta the paper's number minus its baseline row's, where both exist
 * @param disagree metrics where our delta and the paper's have opposite signs (zero has no sign)
 */
public record AggregateRow(
        RowKey key, String table, String method, String detector, int epochs,
        List<LoadedResult> cells, int failed, Map<String, Stat> stats, boolean baseline, String baselineRow,
        Map<String, Double> delta, Map<String, Double> paper, Map<String, Double> paperDelta,
        Set<String> disagree) {

    /** Whether any metric disagrees in sign with the paper. */
    public boolean anyDisagree() {
        return !disagree.isEmpty();
    }
}
