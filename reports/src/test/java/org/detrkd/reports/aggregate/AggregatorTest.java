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
        assertEquals(ld.verdicts().get("APs"), Verdict.NO_CLAIM);
        assertEquals(ld.verdicts().get("AP"), Verdict.AGREE);
        // seeds 0 and 1 on both sides: paired; both differences are +1.6, so the standard error is 0
        assertEquals(ld.changes().get("AP").test(), Change.Test.PAIRED);
        assertEquals(ld.changes().get("AP").se(), 0.0, 1e-9);
    }

    @Test
    public void disagreeOnlyWhereOurChangeIsClearlyOfTheOtherSign() {
        AggregateRow ad = row("table5", "AD");
        // one finished seed (41.8), one failed: the single-seed noise floor (0.5 points) applies
        assertEquals(ad.failed(), 1);
        assertEquals(ad.cells().size(), 2);
        assertEquals(ad.stats().get("AP").n(), 1);
        assertTrue(Double.isNaN(ad.stats().get("AP").std()));
        assertEquals(ad.delta().get("AP"), 41.8 - 42.2, EPS);   // hurts here, by less than the floor
        assertEquals(ad.paperDelta().get("AP"), 42.9 - 42.3, EPS); // helps in the paper
        assertEquals(ad.changes().get("AP").test(), Change.Test.FLOOR);
        assertEquals(ad.verdicts().get("AP"), Verdict.WITHIN_NOISE);
        assertEquals(ad.delta().get("APs"), 25.5 - 25.2, EPS);   // +0.3 < 0.5
        assertEquals(ad.paperDelta().get("APs"), 24.5 - 25.3, EPS);
        assertEquals(ad.verdicts().get("APs"), Verdict.WITHIN_NOISE);
        assertEquals(ad.delta().get("APm"), 44.0 - 44.7, EPS);   // -0.7: clear, against the paper's +1.1
        assertEquals(ad.disagree(), Set.of("APm", "APl"));
        assertTrue(ad.anyDisagree());
        // FD APs: differences 24.9 - 25.0 = -0.1 and 25.1 - 25.4 = -0.3, mean -0.2, sample std sqrt(0.02),
        // paired SE sqrt(0.02 / 2) = 0.1: |-0.2| <= 2 x 0.1, within the noise (it was a sign DISAGREE before)
        AggregateRow fd = row("table5", "FD");
        assertEquals(fd.changes().get("APs").se(), 0.1, EPS);
        assertEquals(fd.verdicts().get("APs"), Verdict.WITHIN_NOISE);
        assertTrue(fd.disagree().isEmpty());
    }

    @Test
    public void table3TeacherAndMethodsAgainstTheGroupStudent() {
        AggregateRow fgd = row("table3", "FGD");
        assertEquals(fgd.delta().get("AP"), 42.5 - 42.1, EPS);
        assertEquals(fgd.paperDelta().get("AP"), 40.7 - 42.3, EPS);
        assertEquals(fgd.verdicts().get("AP"), Verdict.WITHIN_NOISE, "+0.4 on one seed is within the 0.5 floor");
        assertFalse(fgd.anyDisagree());
        AggregateRow teacher = row("table3", "teacher");
        assertEquals(teacher.delta().get("AP"), 43.7 - 42.1, EPS);
        assertEquals(teacher.paperDelta().get("AP"), 43.6 - 42.3, EPS);
        assertEquals(teacher.verdicts().get("AP"), Verdict.AGREE);
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
        assertTrue(clock.verdicts().isEmpty(), "no paper number, no verdict");
        assertEquals(clock.changes().get("AP").test(), Change.Test.FLOOR);
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
        assertEquals(e4.verdicts().get("AP"), Verdict.AGREE);   // -0.5 (clear at the floor) against -0.6
        assertEquals(e4.stats().get("APs").n(), 0, "only AP is known at an intermediate epoch");
        AggregateRow e8 = rows.get(4);
        assertEquals(e8.delta().get("AP"), 27.0 - 28.0, EPS);
        assertEquals(e8.paperDelta().get("AP"), 39.1 - 38.7, EPS);
        assertEquals(e8.disagree(), Set.of("AP"));               // -1.0 against +0.4
        assertEquals(rows.get(5).paper().get("AP"), 40.7);
    }

    /** Table 5 mini: the plain student on seeds 0-2 and LD on {@code ldSeeds}, AP (0-1) as given, APs fixed. */
    private static AggregateRow ldOverThreeSeeds(long[] ldSeeds, double[] ldAp, DirectionRule rule) {
        double[] noneAp = {0.420, 0.424, 0.425};
        List<LoadedResult> cells = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            cells.add(load(ResultFixtures.cell("adamixer-none").paper("table5", null, "none", null)
                    .method("detrdistill").seed(i).ap(noneAp[i], 0.25, 0.45, 0.58).build()));
            cells.add(load(ResultFixtures.cell("adamixer-ld").paper("table5", null, "LD", null)
                    .method("detrdistill").seed(ldSeeds[i]).ap(ldAp[i], 0.25, 0.45, 0.58).build()));
        }
        SuiteSummary s = new Aggregator(PaperTables.get(), rule).aggregate(cells).get(0);
        return s.rows().stream().filter(r -> r.key().row().equals("LD")).findFirst().orElseThrow();
    }

    private static LoadedResult load(org.detrkd.reports.model.ResultRecord r) {
        return new LoadedResult(Path.of("r", r.cellId() + r.seed(), "result.json"), r);
    }

    @Test
    public void threeSeedsArePairedBySeedThroughTheAggregator() {
        // AP differences 42.2 - 42.0, 42.9 - 42.4, 43.6 - 42.5 = 0.2, 0.5, 1.1: SE sqrt(0.07) (see DirectionRuleTest)
        AggregateRow ld = ldOverThreeSeeds(new long[] {0, 1, 2}, new double[] {0.422, 0.429, 0.436},
                DirectionRule.defaults());
        Change c = ld.changes().get("AP");
        assertEquals(c.test(), Change.Test.PAIRED);
        assertEquals(c.delta(), 0.6, 1e-6);
        assertEquals(c.se(), Math.sqrt(0.07), 1e-6);
        assertEquals(ld.verdicts().get("AP"), Verdict.AGREE);       // the paper: 43.7 - 42.3 = +1.4
        assertEquals(ld.verdicts().get("APs"), Verdict.NO_CLAIM);   // the paper: 25.3 - 25.3 = 0
        assertEquals(ld.changes().get("APs").delta(), 0.0, 1e-9);
        // the same numbers on seeds 3-5: unpaired, SE sqrt(0.56 / 3) = 0.432, 2 x SE > 0.6: within the noise
        AggregateRow other = ldOverThreeSeeds(new long[] {3, 4, 5}, new double[] {0.422, 0.429, 0.436},
                DirectionRule.defaults());
        assertEquals(other.changes().get("AP").test(), Change.Test.UNPAIRED);
        assertEquals(other.changes().get("AP").se(), Math.sqrt(0.56 / 3), 1e-6);
        assertEquals(other.verdicts().get("AP"), Verdict.WITHIN_NOISE);
    }

    @Test
    public void theNoiseFloorIsAnOption() {
        // AD APm -0.7 on one seed: clear with the default 0.5 floor, within the noise with a floor of 1.0
        List<LoadedResult> loaded = ResultFixtures.standardSet().stream().map(AggregatorTest::load).toList();
        AggregateRow ad = new Aggregator(PaperTables.get(), new DirectionRule(1.0)).aggregate(loaded).stream()
                .filter(s -> s.suite().equals("table5")).findFirst().orElseThrow().rows().stream()
                .filter(r -> r.key().row().equals("AD")).findFirst().orElseThrow();
        assertEquals(ad.verdicts().get("APm"), Verdict.WITHIN_NOISE);
        assertFalse(ad.anyDisagree());
    }

    @Test
    public void sampleStdOfThree() {
        Stat s = Stat.of(List.of(1.0, 2.0, 4.0));
        assertEquals(s.mean(), 7.0 / 3, EPS);
        // deviations -4/3, -1/3, 5/3: squares 16/9 + 1/9 + 25/9 = 42/9, / 2 = 7/3
        assertEquals(s.std(), Math.sqrt(7.0 / 3), EPS);
    }
}
