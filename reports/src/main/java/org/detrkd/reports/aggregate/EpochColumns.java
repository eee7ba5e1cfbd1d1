package org.detrkd.reports.aggregate;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.detrkd.reports.model.CocoMetrics;
import org.detrkd.reports.model.EpochRecord;
import org.detrkd.reports.model.LoadedResult;
import org.detrkd.reports.model.PaperRef;
import org.detrkd.reports.model.PaperTables;
import org.detrkd.reports.model.ResultRecord;
import org.detrkd.reports.model.Status;

/**
 * Table 1 reports AP after 4, 8 and 12 epochs of one schedule. A cell of such a table that names no column is
 * expanded here into one cell per epoch column, its AP taken from the history at that epoch (the other metrics
 * are left undefined, -1, as pycocotools does for a missing statistic). A cell that names its column is kept as is.
 * Epochs the history lacks give no cell, except for a failed cell, which counts as failed in the columns it
 * did not reach. Only the aggregation sees the expansion; the cell keeps its id (its page).
 */
final class EpochColumns {
    private EpochColumns() {
    }

    static List<LoadedResult> expand(List<LoadedResult> results, PaperTables paper) {
        List<LoadedResult> out = new ArrayList<>();
        for (LoadedResult l : results) {
            ResultRecord r = l.record();
            Map<String, Integer> columns = paper.epochColumns(r.paper().table());
            if (columns.isEmpty() || r.paper().column() != null) {
                out.add(l);
                continue;
            }
            columns.forEach((column, epoch) -> atEpoch(r, column, epoch)
                    .ifPresent(e -> out.add(new LoadedResult(l.file(), e))));
        }
        return out;
    }

    private static Optional<ResultRecord> atEpoch(ResultRecord r, String column, int epoch) {
        Double ap = null;
        for (EpochRecord e : r.history()) {
            if (e.epoch() == epoch && e.ap() != null) {
                ap = e.ap();
            }
        }
        PaperRef ref = new PaperRef(r.paper().table(), r.paper().group(), r.paper().row(), column);
        if (ap == null && !r.finished()) {   // failed before this epoch: the seed counts as failed in this column
            return Optional.of(new ResultRecord(r.schemaVersion(), r.suite(), r.scale(), r.cellId(), ref,
                    r.method(), r.preset(), r.options(), r.detector(), r.epochs(), r.teacher(), r.student(),
                    r.seed(), r.status(), r.failure(), null, r.history(), r.instability(), r.maskImages(),
                    r.wallTimeSeconds(), r.stepsPerSecond(), r.peakMemoryBytes(), r.environment(), r.finishedAt()));
        }
        if (ap == null && r.epochs() != epoch) {
            return Optional.empty();
        }
        double value = ap != null ? ap : r.metrics().ap();
        CocoMetrics m = new CocoMetrics(value, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1);
        return Optional.of(new ResultRecord(r.schemaVersion(), r.suite(), r.scale(), r.cellId(), ref,
                r.method(), r.preset(), r.options(), r.detector(), r.epochs(), r.teacher(), r.student(), r.seed(),
                Status.FINISHED, null, m, r.history(), r.instability(), r.maskImages(), r.wallTimeSeconds(),
                r.stepsPerSecond(), r.peakMemoryBytes(), r.environment(), r.finishedAt()));
    }
}
