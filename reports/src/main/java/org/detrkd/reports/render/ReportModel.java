package org.detrkd.reports.render;

import java.util.List;
import org.detrkd.reports.aggregate.Aggregator;
import org.detrkd.reports.aggregate.DirectionRule;
import org.detrkd.reports.aggregate.SuiteSummary;
import org.detrkd.reports.model.LoadedResult;
import org.detrkd.reports.model.PaperTables;

/**
 * Everything a renderer needs: the loaded cells (sorted), the suites aggregated from them, and the direction rule
 * behind the DISAGREE marks (the legends state it).
 *
 * @param results every loaded cell, sorted ({@link org.detrkd.reports.model.ResultLoader#ORDER})
 * @param suites the suites, sorted by id then scale
 * @param paperSource where the paper's numbers come from
 * @param rule when our change has a clear direction and how it compares with the paper's
 */
public record ReportModel(List<LoadedResult> results, List<SuiteSummary> suites, String paperSource,
        DirectionRule rule) {
    /** Aggregates {@code results} against the shipped paper tables with the default noise floor. */
    public static ReportModel of(List<LoadedResult> results) {
        return of(results, DirectionRule.defaults());
    }

    /** Aggregates {@code results} against the shipped paper tables with {@code rule}. */
    public static ReportModel of(List<LoadedResult> results, DirectionRule rule) {
        PaperTables paper = PaperTables.get();
        return new ReportModel(results, new Aggregator(paper, rule).aggregate(results), paper.source(), rule);
    }

    /** The newest {@code finished_at} among the cells (a deterministic "as of" date), or empty. */
    public String asOf() {
        return results.stream().map(r -> r.record().finishedAt()).max(String::compareTo).orElse("");
    }
}
