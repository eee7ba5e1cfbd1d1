package org.detrkd.reports.aggregate;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertNull;
import static org.testng.Assert.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.detrkd.reports.ResultFixtures;
import org.detrkd.reports.model.LoadedResult;
import org.detrkd.reports.model.PaperTables;
import org.detrkd.reports.model.Scale;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.Test;

/** Aggregation of {@link ResultFixtures#standardSet()}, every expected number worked out by hand. */
public class AggregatorTest {
    private static final double EPS = 1e-9;
    private List<SuiteSummary> suites;

    @BeforeClass
    public void aggregate() {
        List<LoadedResult> loaded = ResultFixtures.standardSet().stream()
                .map(r -> new LoadedResult(Path.of("r", r.cellId(), "result.json"), r)).toList();
        suites = new Aggregator(PaperTables.get()).aggregate(loaded);
    }

    private SuiteSummary suite(String id) {
        return suites.stream().filter(s -> s.suite().equals(id)).findFirst().orElseThrow();
    }

    private AggregateRow row(String suite, String row) {
        return suite(suite).rows().stream().filter(r -> r.key().row().equals(row)).findFirst().orElseThrow();
    }

    @Test
    public void suitesSortedAndSmokeIsNotAResult() {
        assertEquals(suites.stream().map(SuiteSummary::suite).toList(),
                List.of("clockdistill", "table1", "table3", "table5", "table7"));
        assertFalse(suite("table7").isResult());
        assertEquals(suite("table7").scale(), Scale.SMOKE);
        assertTrue(suite("table5").isResult());
        assertEquals(suite("table5").presets(), List.of("paper"));
    }

    @Test
    public void rowsFollowThePapersOrder() {
        assertEquals(suite("table5").rows().stream().map(r -> r.key().row()).toList(), List.of("none", "LD", "FD", "AD"));
        assertEquals(suite("table3").rows().stream().map(r -> r.key().row()).toList(),
                List.of("teacher", "student", "FGD", "DETRDistill"));
    }

    @Test
    public void meanAndSampleStdOverSeeds() {
        Stat none = row("table5", "none").stats().get("AP");
        // AP 42.0 and 42.4: mean 42.2, sample std sqrt((0.2^2 + 0.2^2) / 1) = 0.28284...
        assertEquals(none.mean(), 42.2, EPS);
        assertEquals(none.std(), Math.sqrt(0.08), EPS);
        assertEquals(none.n(), 2);
        assertTrue(row("table5", "none").baseline());
        assertTrue(row("table5", "none").delta().isEmpty());
    }

    @Test
    public void deltasAgainstOurStudentAndThePapersBaseline() {
        AggregateRow ld = row("table5", "LD");
        assertEquals(ld.baselineRow(), "none");
        assertEquals(ld.stats().get("AP").mean(), 43.8, EPS);
        assertEquals(ld.delta().get("AP"), 1.6, EPS);           // 43.8 - 42.2
        assertEquals(ld.delta().get("APl"), 60.7 - 58.2, EPS);  // (60.5+60.9)/2 - (58.0+58.4)/2
        assertEquals(ld.paper().get("AP"), 43.7);
        assertEquals(ld.paperDelta().get("AP"), 43.7 - 42.3, EPS);
        assertEquals(ld.paperDelta().get("APs"), 0.0, EPS);     // 25.3 - 25.3
        assertTrue(ld.disagree().isEmpty(), "APs: our +0.2 against the paper's 0.0 is not a disagreement");
    }

    @Test
    public void disagreeWhereTheSignsDiffer() {
        AggregateRow ad = row("table5", "AD");
        // one finished seed (41.8), one failed
        assertEquals(ad.failed(), 1);
        assertEquals(ad.cells().size(), 2);
        assertEquals(ad.stats().get("AP").n(), 1);
        assertTrue(Double.isNaN(ad.stats().get("AP").std()));
        assertEquals(ad.delta().get("AP"), 41.8 - 42.2, EPS);   // hurts here
        assertEquals(ad.paperDelta().get("AP"), 42.9 - 42.3, EPS); // helps in the paper
        assertEquals(ad.delta().get("APs"), 25.5 - 25.2, EPS);
        assertEquals(ad.paperDelta().get("APs"), 24.5 - 25.3, EPS);
        assertEquals(ad.disagree(), Set.of("AP", "APs", "APm", "APl"));
        assertTrue(ad.anyDisagree());
        assertEquals(row("table5", "FD").disagree(), Set.of("APs"));  // 25.0 - 25.2 < 0 against +0.1
    }

    @Test
    public void table3TeacherAndMethodsAgainstTheGroupStudent() {
        AggregateRow fgd = row("table3", "FGD");
        assertEquals(fgd.delta().get("AP"), 42.5 - 42.1, EPS);
        assertEquals(fgd.paperDelta().get("AP"), 40.7 - 42.3, EPS);
        assertTrue(fgd.disagree().contains("AP"));
        AggregateRow teacher = row("table3", "teacher");
        assertEquals(teacher.delta().get("AP"), 43.7 - 42.1, EPS);
        assertEquals(teacher.paperDelta().get("AP"), 43.6 - 42.3, EPS);
        assertFalse(teacher.disagree().contains("AP"));
    }

    @Test
    public void suiteWithoutPaperTableUsesThePlainStudent() {
        AggregateRow clock = row("clockdistill", "CLoCKDistill");
        assertNull(clock.table());
        assertEquals(clock.baselineRow(), "student");
        assertEquals(clock.delta().get("AP"), 31.0 - 30.0, EPS);
        assertEquals(clock.delta().get("APs"), 14.0 - 15.0, EPS);
        assertTrue(clock.paper().isEmpty());
        assertTrue(clock.disagree().isEmpty());
    }

    @Test
    public void table1ColumnsComeFromTheHistory() {
        List<AggregateRow> rows = suite("table1").rows();
        assertEquals(rows.stream().map(r -> r.key().row() + "@" + r.key().column()).toList(),
                List.of("baseline@AP@epoch4", "baseline@AP@epoch8", "baseline@AP@epoch12",
                        "FGD@AP@epoch4", "FGD@AP@epoch8", "FGD@AP@epoch12"));
        AggregateRow e4 = rows.get(3);
        assertEquals(e4.stats().get("AP").mean(), 13.5, EPS);          // 0.405 * 4 / 12
        assertEquals(e4.delta().get("AP"), 13.5 - 14.0, EPS);
        assertEquals(e4.paperDelta().get("AP"), 34.4 - 35.0, EPS);
        assertTrue(e4.disagree().isEmpty());
        assertEquals(e4.stats().get("APs").n(), 0, "only AP is known at an intermediate epoch");
        AggregateRow e8 = rows.get(4);
        assertEquals(e8.delta().get("AP"), 27.0 - 28.0, EPS);
        assertEquals(e8.paperDelta().get("AP"), 39.1 - 38.7, EPS);
        assertEquals(e8.disagree(), Set.of("AP"));
        assertEquals(rows.get(5).paper().get("AP"), 40.7);
    }

    @Test
    public void sampleStdOfThree() {
        Stat s = Stat.of(List.of(1.0, 2.0, 4.0));
        assertEquals(s.mean(), 7.0 / 3, EPS);
        // deviations -4/3, -1/3, 5/3: squares 16/9 + 1/9 + 25/9 = 42/9, / 2 = 7/3
        assertEquals(s.std(), Math.sqrt(7.0 / 3), EPS);
    }
}
