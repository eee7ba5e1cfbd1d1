package org.detrkd.suites.spec;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertNotNull;
import static org.testng.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.detrkd.reports.aggregate.AggregateRow;
import org.detrkd.reports.aggregate.Aggregator;
import org.detrkd.reports.aggregate.SuiteSummary;
import org.detrkd.reports.model.CocoMetrics;
import org.detrkd.reports.model.Environment;
import org.detrkd.reports.model.LoadedResult;
import org.detrkd.reports.model.PaperTables;
import org.detrkd.reports.model.ResultJson;
import org.detrkd.reports.model.ResultRecord;
import org.detrkd.reports.model.Scale;
import org.detrkd.reports.model.Status;
import org.testng.annotations.Test;

/**
 * The cells' ids, paper references and resolved specs are what the reports module reads: result records built from
 * every built-in suite's cells survive {@link ResultJson}'s strict reader, and the aggregated rows carry the same
 * paper numbers as the cells and find their baseline row.
 */
public class ReportsCompatibilityTest {
    private static final Environment ENV = new Environment("0000000", "test", "0.35.1", "2.7.1", List.of("cpu()"), 1,
            "17", "test");

    static ResultRecord record(Cell c) {
        double ap = 0.3 + (c.seed() % 3) * 0.01;
        CocoMetrics m = new CocoMetrics(ap, ap, ap, ap, ap, ap, ap, ap, ap, ap, ap, ap);
        return new ResultRecord(ResultRecord.SCHEMA_VERSION, c.suite(), c.scale(), c.cellId(), c.paper(),
                c.resultMethod(), c.preset(), Cell.json(c.options()), c.student().detector(), c.schedule().epochs(),
                c.teacher() == null || c.method().equals("teacher") ? null : Cell.json(c.teacher()),
                Cell.json(c.student()), c.seed(), Status.FINISHED, null, m, List.of(), null, null, 1.0, 1.0, 1L, ENV,
                "2026-11-22T10:00:00Z");
    }

    @Test
    public void everySuiteAggregatesWithThePaperNumbers() throws Exception {
        Path dir = Files.createTempDirectory("suites-results");
        List<LoadedResult> loaded = new ArrayList<>();
        Map<String, Map<String, Double>> paperByRow = new HashMap<>();
        for (SuiteSpec s : SuiteCatalog.builtIn()) {
            for (Cell c : SuiteExpander.expand(s, Scale.MINI)) {
                Path f = dir.resolve(c.suite() + "." + c.runId() + ".json");
                ResultJson.write(f, record(c));
                ResultRecord back = ResultJson.read(f);
                assertEquals(back.cellId(), c.cellId());
                assertEquals(back.paper(), c.paper());
                loaded.add(new LoadedResult(f, back));
                paperByRow.put(c.suite() + "|" + c.paper(), c.paperValue());
            }
        }
        List<SuiteSummary> summaries = new Aggregator(PaperTables.get()).aggregate(loaded);
        assertEquals(summaries.size(), 8);
        int rows = 0;
        for (SuiteSummary s : summaries) {
            for (AggregateRow r : s.rows()) {
                rows++;
                ResultRecord first = r.cells().get(0).record();
                Map<String, Double> expected = paperByRow.get(first.suite() + "|" + first.paper());
                assertNotNull(expected, first.cellId());
                if (first.paper().table() != null && !first.method().equals("teacher")) {
                    assertEquals(r.paper(), expected, first.suite() + " " + first.cellId());
                }
                boolean plain = first.method().equals("student");
                if (!plain && !first.method().equals("teacher")) {
                    assertNotNull(r.baselineRow(), "no baseline row for " + first.suite() + " " + first.cellId());
                }
                if (!first.method().equals("teacher")) {
                    assertEquals(r.cells().size(), 3, first.suite() + " " + first.cellId() + ": three mini seeds");
                }
            }
        }
        assertTrue(rows > 60, "rows: " + rows);
    }
}
