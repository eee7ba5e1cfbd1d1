package org.detrkd.reports.cli;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.detrkd.reports.ResultFixtures;
import org.detrkd.reports.model.CocoMetrics;
import org.detrkd.reports.model.ResultJson;
import org.detrkd.reports.model.ResultRecord;
import org.detrkd.reports.render.GoldenFilesTest;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.Test;

/** {@code detrkd check}: a planted regression fails with the cell named; unchanged results pass. */
public class CheckCommandTest {
    private static final String PLANTED = "table5-mini/adamixer-ld-s0/result.json";
    private Path baseline;

    @BeforeClass
    public void writeBaseline() throws IOException {
        baseline = Files.createTempDirectory("detrkd-check-base");
        GoldenFilesTest.writeStandardSet(baseline);
    }

    private Path copyOfBaseline() throws IOException {
        Path dir = Files.createTempDirectory("detrkd-check-new");
        GoldenFilesTest.writeStandardSet(dir);
        return dir;
    }

    /** Rewrites one cell's AP (0-1) in place. */
    private static void setAp(Path file, double ap) {
        ResultRecord r = ResultJson.read(file);
        CocoMetrics m = r.metrics();
        CocoMetrics changed = new CocoMetrics(ap, m.ap50(), m.ap75(), m.aps(), m.apm(), m.apl(), m.ar1(), m.ar10(),
                m.ar100(), m.ars(), m.arm(), m.arl());
        ResultJson.write(file, new ResultRecord(r.schemaVersion(), r.suite(), r.scale(), r.cellId(), r.paper(),
                r.method(), r.preset(), r.options(), r.detector(), r.epochs(), r.teacher(), r.student(), r.seed(),
                r.status(), r.failure(), changed, r.history(), r.instability(), r.maskImages(), r.wallTimeSeconds(),
                r.stepsPerSecond(), r.peakMemoryBytes(), r.environment(), r.finishedAt()));
    }

    /** The direction lines of the standard set with the default noise floor (not gating). */
    private static final String DISAGREEMENTS = "DISAGREE table1 (mini) FGD AP@epoch8 AP: ours -1.00 vs the paper's "
            + "+0.40 (1 vs 1 seeds: |-1.00| >= noise floor 0.50, a clear change)\n"
            + "DISAGREE table5 (mini) AD [paper] APm: ours -0.70 vs the paper's +1.10 (1 vs 2 seeds: |-0.70| >= noise "
            + "floor 0.50, a clear change)\n"
            + "DISAGREE table5 (mini) AD [paper] APl: ours -0.70 vs the paper's +1.10 (1 vs 2 seeds: |-0.70| >= noise "
            + "floor 0.50, a clear change)\n";

    @Test
    public void unchangedResultsPass() throws IOException {
        CliRun run = CliRun.run(new CheckCommand(), copyOfBaseline().toString(), "--baseline", baseline.toString());
        assertEquals(run.exit(), 0, run.out() + run.err());
        // verdicts over the mini rows (by hand): table1 FGD 2 agree + 1 disagree; table3 teacher 3 agree + 1 within
        // noise, FGD 4 within noise, DETRDistill 4 agree; table5 LD 3 agree + 1 no claim, FD 3 agree + 1 within
        // noise, AD 2 within noise + 2 disagree
        assertEquals(run.out(), DISAGREEMENTS
                + "direction vs the paper (not gating; noise floor 0.50 AP points): 15 agree, 3 disagree, 8 within "
                + "noise, 1 no claim; smoke scale not counted\n"
                + "check: 18 cell(s) compared, 0 regression(s), 0 missing, 0 new; tolerance 0.50 AP points: OK\n");
    }

    @Test
    public void theNoiseFloorOptionChangesTheDirectionLinesOnly() throws IOException {
        // a floor of 1.0: AD's single-seed -0.7 becomes noise; table 1's -1.0 stays clear (the rule: |change| < floor).
        // Single-seed changes now within the noise: table 1 epoch 4 (-0.5), table 3 teacher APs (+0.3), FGD (4),
        // AD (4); paired table 5 rows are unaffected: 14 agree, 1 disagree, 11 within noise, 1 no claim
        CliRun run = CliRun.run(new CheckCommand(), copyOfBaseline().toString(), "--baseline", baseline.toString(),
                "--noise-floor", "1.0");
        assertEquals(run.exit(), 0, run.out() + run.err());
        assertEquals(run.out(), "DISAGREE table1 (mini) FGD AP@epoch8 AP: ours -1.00 vs the paper's +0.40 "
                + "(1 vs 1 seeds: |-1.00| >= noise floor 1.00, a clear change)\n"
                + "direction vs the paper (not gating; noise floor 1.00 AP points): 14 agree, 1 disagree, 11 within "
                + "noise, 1 no claim; smoke scale not counted\n"
                + "check: 18 cell(s) compared, 0 regression(s), 0 missing, 0 new; tolerance 0.50 AP points: OK\n");
        CliRun bad = CliRun.run(new CheckCommand(), baseline.toString(), "--baseline", baseline.toString(),
                "--noise-floor", "-0.5");
        assertEquals(bad.exit(), 2);
        assertEquals(bad.err(), "detrkd: --noise-floor: must be a finite number >= 0, got -0.5\n");
    }

    @Test
    public void plantedRegressionFailsNamingTheCell() throws IOException {
        Path now = copyOfBaseline();
        setAp(now.resolve(PLANTED), 0.425);   // 43.6 -> 42.5: -1.1 points
        CliRun run = CliRun.run(new CheckCommand(), now.toString(), "--baseline", baseline.toString());
        assertEquals(run.exit(), 1, run.out() + run.err());
        // LD's AP differences are now 42.5 - 42.0 and 44.0 - 42.4 = 0.5, 1.6: paired SE 0.55, 2 x SE = 1.1 >= 1.05,
        // so LD's AP change is within the noise: one agreement fewer, one within noise more
        assertEquals(run.out(), "REGRESSION table5 (mini) cell adamixer-ld seed 0: AP 43.60 -> 42.50 "
                + "(-1.10 points, tolerance 0.50)\n"
                + DISAGREEMENTS
                + "direction vs the paper (not gating; noise floor 0.50 AP points): 14 agree, 3 disagree, 9 within "
                + "noise, 1 no claim; smoke scale not counted\n"
                + "check: 18 cell(s) compared, 1 regression(s), 0 missing, 0 new; tolerance 0.50 AP points: FAIL\n");
        CliRun loose = CliRun.run(new CheckCommand(), now.toString(), "--baseline", baseline.toString(),
                "--tolerance", "1.2");
        assertEquals(loose.exit(), 0, loose.out());
    }

    @Test
    public void dropWithinToleranceAndGainsPass() throws IOException {
        Path now = copyOfBaseline();
        setAp(now.resolve(PLANTED), 0.432);   // -0.4 points
        setAp(now.resolve("table3-mini/adamixer-fgd-s0/result.json"), 0.5);
        assertEquals(CliRun.run(new CheckCommand(), now.toString(), "--baseline", baseline.toString()).exit(), 0);
    }

    @Test
    public void newlyFailedCellIsARegressionAndMissingCellsAreReported() throws IOException {
        Path now = copyOfBaseline();
        ResultJson.write(now.resolve("table3-mini/adamixer-fgd-s0/result.json"), ResultFixtures.cell("adamixer-fgd")
                .suite("table3").paper("table3", "AdaMixer (100 queries, 12 epochs)", "FGD", null).method("fgd")
                .failed("non-finite loss: loss_fgd is NaN", 99).build());
        Files.delete(now.resolve("clockdistill-mini/deformable-student-s0/result.json"));
        CliRun run = CliRun.run(new CheckCommand(), now.toString(), "--baseline", baseline.toString());
        assertEquals(run.exit(), 1, run.out());
        String out = run.out();
        assertTrue(out.startsWith("FAILED table3 (mini) cell adamixer-fgd seed 0: baseline AP 42.50, now failed: "
                + "non-finite loss: loss_fgd is NaN\n"
                + "MISSING clockdistill (mini) cell deformable-student seed 0: in the baseline, not in the new "
                + "results\n" + DISAGREEMENTS), out);
        assertTrue(out.endsWith("\ncheck: 17 cell(s) compared, 1 regression(s), 1 missing, 0 new; "
                + "tolerance 0.50 AP points: FAIL\n"), out);
    }

    @Test
    public void baselineFromTheReportsResultsCsv() throws IOException {
        Path site = Files.createTempDirectory("detrkd-check-site");
        assertEquals(CliRun.run(new ReportCommand(), baseline.toString(), "--out", site.toString()).exit(), 0);
        Path now = copyOfBaseline();
        setAp(now.resolve(PLANTED), 0.425);
        CliRun run = CliRun.run(new CheckCommand(), now.toString(), "--baseline",
                site.resolve("results.csv").toString());
        assertEquals(run.exit(), 1, run.out());
        assertTrue(run.out().startsWith("REGRESSION table5 (mini) cell adamixer-ld seed 0: AP 43.60 -> 42.50"),
                run.out());
        assertTrue(run.out().contains("check: 18 cell(s) compared, 1 regression(s)"), run.out());
    }

    @Test
    public void reportWritesTheVerdictsWithItsNoiseFloor() throws IOException {
        Path site = Files.createTempDirectory("detrkd-report-floor");
        assertEquals(CliRun.run(new ReportCommand(), baseline.toString(), "--out", site.toString(),
                "--noise-floor", "1.0").exit(), 0);
        String summary = Files.readString(site.resolve("summary.csv"));
        // AD APm: one seed, -0.7 against the paper's +1.1: within a floor of 1.0 (disagree with the default 0.5)
        assertTrue(summary.contains("\ntable5,mini,false,table5,,AD,,paper,detrdistill,adamixer,12,2,1,APm,44,,-0.7,,"
                + "floor,45.9,1.1,within-noise\n"), summary);
        assertTrue(Files.readString(site.resolve("tables.md")).contains("noise floor of 1 AP points"));
        assertTrue(Files.readString(site.resolve("suites/table5-mini.html")).contains("noise floor of 1 AP points"));
        CliRun bad = CliRun.run(new ReportCommand(), baseline.toString(), "--out", site.toString(),
                "--noise-floor", "NaN");
        assertEquals(bad.exit(), 2);
        assertEquals(bad.err(), "detrkd: --noise-floor: must be a finite number >= 0, got NaN\n");
    }

    @Test
    public void csvResultsGetNoDirectionLines() throws IOException {
        Path site = Files.createTempDirectory("detrkd-check-csv");
        assertEquals(CliRun.run(new ReportCommand(), baseline.toString(), "--out", site.toString()).exit(), 0);
        Path csv = site.resolve("results.csv");
        CliRun run = CliRun.run(new CheckCommand(), csv.toString(), "--baseline", baseline.toString());
        assertEquals(run.exit(), 0, run.out());
        assertEquals(run.out(), "direction vs the paper: not computed (" + csv + " is a CSV, not result.json files)\n"
                + "check: 18 cell(s) compared, 0 regression(s), 0 missing, 0 new; tolerance 0.50 AP points: OK\n");
    }

    @Test
    public void badInputExitsTwoWithOneLine() throws IOException {
        Path bad = Files.createTempDirectory("detrkd-check-bad");
        Files.writeString(bad.resolve("result.json"), "{\"schema_version\": 1, \"colour\": 2}");
        CliRun run = CliRun.run(new CheckCommand(), bad.toString(), "--baseline", baseline.toString());
        assertEquals(run.exit(), 2);
        assertTrue(run.err().startsWith("detrkd: " + bad.resolve("result.json") + ": /colour: unknown key 'colour' "
                + "(known: cell_id, detector, "), run.err());
        assertEquals(run.err().lines().count(), 1L);

        CliRun neg = CliRun.run(new CheckCommand(), baseline.toString(), "--baseline", baseline.toString(),
                "--tolerance", "-1");
        assertEquals(neg.exit(), 2);
        assertEquals(neg.err(), "detrkd: --tolerance: must be a finite number >= 0, got -1.0\n");

        Path csv = bad.resolve("base.csv");
        Files.writeString(csv, "suite,scale\nx,mini\n");
        CliRun badCsv = CliRun.run(new CheckCommand(), baseline.toString(), "--baseline", csv.toString());
        assertEquals(badCsv.exit(), 2);
        assertTrue(badCsv.err().startsWith("detrkd: " + csv + ": line 1: missing column 'cell_id'"), badCsv.err());
    }

    @Test
    public void reportPrintsIndexAndRefusesAnEmptyFolder() throws IOException {
        Path site = Files.createTempDirectory("detrkd-report-site");
        CliRun run = CliRun.run(new ReportCommand(), baseline.toString(), "--out", site.toString());
        assertEquals(run.exit(), 0, run.err());
        assertEquals(run.out(), site.resolve("index.html").toAbsolutePath().normalize() + "\n");
        for (String f : List.of("index.html", "leaderboard.html", "results.csv", "summary.csv", "tables.md",
                "style.css", "suites/table5-mini.html", "cells/table7-smoke/adamixer-baseline-seed0.html")) {
            assertTrue(Files.isRegularFile(site.resolve(f)), f);
        }
        Path empty = Files.createTempDirectory("detrkd-report-empty");
        CliRun none = CliRun.run(new ReportCommand(), empty.toString(), "--out", site.toString());
        assertEquals(none.exit(), 2);
        assertEquals(none.err(), "detrkd: " + empty + ": no result.json found under [" + empty + "]\n");
    }
}
