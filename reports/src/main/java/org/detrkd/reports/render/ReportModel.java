package org.detrkd.reports.render;

import java.util.List;
import org.detrkd.reports.aggregate.Aggregator;
import org.detrkd.reports.aggregate.SuiteSummary;
import org.detrkd.reports.model.LoadedResult;
import org.detrkd.reports.model.PaperTables;

/**
 * Everything a renderer needs: the loaded cells (sorted) and the suites aggregated from them.
 *
 * @param results every loaded cell, sorted ({@link org.detrkd.reports.model.ResultLoader#ORDER})
 * @param suites the suites, sorted by id then scale
 * @param paperSource where the paper's numbers come from
 */
public record ReportModel(List<LoadedResult> results, List<SuiteSummary> suites, String paperSource) {
    /** Aggregates {@code results} against the shipped paper tables. */
    public static ReportModel of(List<LoadedResult> results) {
        PaperTables paper = PaperTables.get();
        return new ReportModel(results, new Aggregator(paper).aggregate(results), paper.source());
    }

    /** The newest {@code finished_at} among the cells (a deterministic "as of" date), or empty. */
    public String asOf() {
        return results.stream().map(r -> r.record().finishedAt()).max(String::compareTo).orElse("");
    }
}
