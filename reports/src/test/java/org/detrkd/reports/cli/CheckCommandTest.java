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

    @Test
    public void unchangedResultsPass() throws IOException {
        CliRun run = CliRun.run(new CheckCommand(), copyOfBaseline().toString(), "--baseline", baseline.toString());
        assertEquals(run.exit(), 0, run.out() + run.err());
        assertEquals(run.out(), "check: 18 cell(s) compared, 0 regression(s), 0 missing, 0 new; "
                + "tolerance 0.50 AP points: OK\n");
    }

    @Test
    public void plantedRegressionFailsNamingTheCell() throws IOException {
        Path now = copyOfBaseline();
        setAp(now.resolve(PLANTED), 0.425);   // 43.6 -> 42.5: -1.1 points
        CliRun run = CliRun.run(new CheckCommand(), now.toString(), "--baseline", baseline.toString());
        assertEquals(run.exit(), 1, run.out() + run.err());
        assertEquals(run.out(), "REGRESSION table5 (mini) cell adamixer-ld seed 0: AP 43.60 -> 42.50 "
                + "(-1.10 points, tolerance 0.50)\n"
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
        assertEquals(run.out(), "FAILED table3 (mini) cell adamixer-fgd seed 0: baseline AP 42.50, now failed: "
                + "non-finite loss: loss_fgd is NaN\n"
                + "MISSING clockdistill (mini) cell deformable-student seed 0: in the baseline, not in the new results\n"
                + "check: 17 cell(s) compared, 1 regression(s), 1 missing, 0 new; tolerance 0.50 AP points: FAIL\n");
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
