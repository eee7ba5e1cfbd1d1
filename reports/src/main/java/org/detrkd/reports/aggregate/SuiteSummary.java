package org.detrkd.reports.aggregate;

import java.util.List;
import org.detrkd.reports.model.Scale;

/**
 * One suite at one scale, as a paper-style table.
 *
 * @param suite suite id
 * @param scale scale (smoke: not a result)
 * @param table the paper table it reproduces, or null
 * @param title the paper table's title, or the suite id
 * @param presets the presets that ran (sorted; empty when no cell has one)
 * @param rows rows in the paper's group/row order, then unknown ones sorted
 */
public record SuiteSummary(
        String suite, Scale scale, String table, String title, List<String> presets, List<AggregateRow> rows) {

    /** Whether these numbers may be read as results (false for smoke). */
    public boolean isResult() {
        return scale.isResult();
    }

    /** Distinct groups in row order. */
    public List<String> groups() {
        return rows.stream().map(r -> r.key().group()).distinct().toList();
    }

    /** Rows of one group. */
    public List<AggregateRow> rowsOf(String group) {
        return rows.stream().filter(r -> r.key().group().equals(group)).toList();
    }
}
