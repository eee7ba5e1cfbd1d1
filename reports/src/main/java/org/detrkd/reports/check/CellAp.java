package org.detrkd.reports.check;

import org.detrkd.reports.model.LoadedResult;
import org.detrkd.reports.model.ResultRecord;

/**
 * One cell's AP for the regression check.
 *
 * @param suite suite id
 * @param scale scale id
 * @param cellId cell id
 * @param seed seed
 * @param ap AP on the 0-1 scale, or null when the cell failed
 * @param failure the failure message when it failed, else null
 */
public record CellAp(String suite, String scale, String cellId, long seed, Double ap, String failure) {
    /** From a loaded result. */
    public static CellAp of(LoadedResult l) {
        ResultRecord r = l.record();
        return new CellAp(r.suite(), r.scale().id(), r.cellId(), r.seed(), r.finished() ? r.metrics().ap() : null,
                r.finished() ? null : r.failure().message());
    }

    /** The identity shared by the baseline and the new results. */
    public String key() {
        return suite + "|" + scale + "|" + cellId + "|" + seed;
    }

    /** How a line names the cell: {@code table3 (mini) cell adamixer-fgd seed 0}. */
    public String label() {
        return suite + " (" + scale + ") cell " + cellId + " seed " + seed;
    }
}
