package org.detrkd.suites.run;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertNotNull;
import static org.testng.Assert.assertNull;
import static org.testng.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import org.detrkd.reports.model.EpochRecord;
import org.detrkd.reports.model.LoadedResult;
import org.detrkd.reports.model.ResultJson;
import org.detrkd.reports.model.ResultLoader;
import org.detrkd.reports.model.ResultRecord;
import org.detrkd.reports.model.Status;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.Test;

/**
 * {@code detrkd run} end to end on a tiny Conditional DETR suite at smoke scale (64-px images, 4 steps per epoch,
 * 2 epochs, one thread): results readable by the reports, resumption between cells and inside a cell, the teacher
 * cache across suites, a failed record on divergence, and an AdaMixer cell of a built-in suite.
 */
public class SuiteRunnerTest {
    private Path root;
    private Path suite;
    private Path out;
    private RunFixtures.Outcome firstCell;
    private RunFixtures.Outcome full;
    private FileTime firstCellMtime;

    @BeforeClass
    public void runTheSuite() throws Exception {
        root = Files.createTempDirectory("detrkd-run");
        suite = RunFixtures.write(root, "mine", "1.0e-4");
        out = root.resolve("out");
        firstCell = run(suite, out, "--only", "cond.none");
        assertEquals(firstCell.code(), 0, firstCell.out() + firstCell.err());
        firstCellMtime = Files.getLastModifiedTime(out.resolve("cells/cond.none.seed0/result.json"));
        full = run(suite, out);
    }

    private RunFixtures.Outcome run(Path suiteFile, Path outDir, String... extra) {
        String[] base = {"run", suiteFile.toString(), "--scale", "smoke", "--out", outDir.toString(), "--data-root",
            root.toString(), "--threads", "1", "--log-every", "4"};
        String[] args = java.util.Arrays.copyOf(base, base.length + extra.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        return RunFixtures.cli(args);
    }

    @Test
    public void everyCellFinishesWithFiniteLossesReadableByTheReports() {
        assertEquals(firstCell.code(), 0, firstCell.out() + firstCell.err());
        assertEquals(full.code(), 0, full.out() + full.err());
        List<LoadedResult> loaded = ResultLoader.load(List.of(out));
        assertEquals(loaded.size(), 3);
        for (LoadedResult l : loaded) {
            ResultRecord r = l.record();
            assertEquals(r.status(), Status.FINISHED, r.cellId());
            assertEquals(r.history().size(), 2, r.cellId());
            for (EpochRecord e : r.history()) {
                assertNotNull(e.ap());
                assertTrue(e.loss().containsKey("loss_ce"), e.loss().toString());
                e.loss().values().forEach(v -> assertTrue(Double.isFinite(v), r.cellId() + " " + e.loss()));
            }
            assertEquals(r.history().get(1).ap(), r.metrics().ap(), 1e-12);
            assertTrue(r.wallTimeSeconds() > 0 && r.stepsPerSecond() > 0 && r.peakMemoryBytes() > 0);
            assertEquals(r.environment().threads(), 1);
            assertEquals(r.environment().devices(), List.of("cpu()"));
        }
    }

    @Test
    public void aFinishedCellIsNotRetrainedAndTheTeacherIsTrainedOnce() throws Exception {
        assertTrue(full.out().contains("2 finished, 1 skipped (finished before), 0 failed; 1 teachers trained"),
                full.out());
        assertEquals(Files.getLastModifiedTime(out.resolve("cells/cond.none.seed0/result.json")), firstCellMtime);
        try (var teachers = Files.list(out.resolve("teachers"))) {
            assertEquals(teachers.filter(Files::isDirectory).count(), 1);
        }
    }

    @Test
    public void aCellKilledMidwayContinuesFromItsLastEpochToTheUninterruptedResult() throws Exception {
        Path out2 = root.resolve("out-interrupted");
        RunFixtures.Outcome stopped = run(suite, out2, "--only", "cond.none", "--stop-after-steps", "6");
        assertEquals(stopped.code(), 4, stopped.out() + stopped.err());
        Path cell = out2.resolve("cells/cond.none.seed0");
        assertFalse(Files.exists(cell.resolve("result.json")));
        assertTrue(Files.isDirectory(cell.resolve("checkpoints/step-000000000004")), "epoch 1's checkpoint");
        assertFalse(Files.exists(cell.resolve("checkpoints/step-000000000006")), "no checkpoint beyond the epoch");
        RunFixtures.Outcome resumed = run(suite, out2, "--only", "cond.none");
        assertEquals(resumed.code(), 0, resumed.out() + resumed.err());
        ResultRecord r = ResultJson.read(cell.resolve("result.json"));
        ResultRecord uninterrupted = ResultJson.read(out.resolve("cells/cond.none.seed0/result.json"));
        assertEquals(r.history(), uninterrupted.history(), "same per-epoch AP and losses (one thread, same seed)");
        assertEquals(r.metrics(), uninterrupted.metrics());
    }

    @Test(dependsOnMethods = "aFinishedCellIsNotRetrainedAndTheTeacherIsTrainedOnce")
    public void anotherSuiteReusesTheCachedTeacher() throws Exception {
        Path other = RunFixtures.write(root.resolve("other"), "other", "1.0e-4");
        Path outcome;
        try (var teachers = Files.list(out.resolve("teachers"))) {
            outcome = teachers.filter(Files::isDirectory).findFirst().orElseThrow().resolve("outcome.json");
        }
        FileTime before = Files.getLastModifiedTime(outcome);
        Path out3 = root.resolve("out-other");
        RunFixtures.Outcome r = run(other, out3, "--only", "cond.ld", "--teachers", out.resolve("teachers").toString());
        assertEquals(r.code(), 0, r.out() + r.err());
        assertTrue(r.out().contains("1 finished, 0 skipped (finished before), 0 failed; 0 teachers trained"), r.out());
        assertEquals(Files.getLastModifiedTime(outcome), before);
        assertFalse(Files.exists(out3.resolve("teachers")));
        ResultRecord ld = ResultJson.read(out3.resolve("cells/cond.ld.seed0/result.json"));
        assertEquals(ld.suite(), "other");
        assertEquals(ld.teacher().get("checkpoint"), outcome.resolveSibling("final/student.safetensors").toString());
        RunFixtures.Outcome clash = run(other, out, "--only", "cond.ld");
        assertEquals(clash.code(), 2, clash.out() + clash.err());
        assertTrue(clash.err().contains("holds cells of suite 'mine', not 'other'"), clash.err());
    }

    @Test
    public void aDivergingCellIsRecordedAsFailedAndTheSuiteGoesOn() throws Exception {
        Path nan = RunFixtures.write(root.resolve("nan"), "nan", "1.0e+30");
        Path out4 = root.resolve("out-nan");
        RunFixtures.Outcome r = run(nan, out4, "--only", "cond.teacher,cond.none");
        assertEquals(r.code(), 1, r.out() + r.err());
        assertTrue(r.out().contains("0 finished, 0 skipped (finished before), 2 failed"), r.out());
        ResultRecord failed = ResultJson.read(out4.resolve("cells/cond.none.seed0/result.json"));
        assertEquals(failed.status(), Status.FAILED);
        assertNull(failed.metrics());
        assertTrue(failed.failure().message().startsWith("non-finite values at step "), failed.failure().message());
        assertTrue(failed.failure().step() >= 1, "step 0 runs on the finite initial weights");
        assertTrue(failed.failure().terms().containsKey("loss_ce"), failed.failure().terms().toString());
        assertEquals(ResultLoader.load(List.of(out4)).size(), 2, "failed records are readable by the reports");
    }

    @Test
    public void anAdaMixerCellTrainsInTheRunner() throws Exception {
        // two steps of a built-in AdaMixer cell (a whole AdaMixer cell runs in MultiDetectorSuiteTest)
        Path out5 = root.resolve("out-adamixer");
        RunFixtures.Outcome r = run(Path.of("table1"), out5, "--only", "adamixer.none.e4", "--stop-after-steps", "2");
        assertEquals(r.code(), 4, r.out() + r.err());
        Path cell = out5.resolve("cells/adamixer.none.e4.seed0");
        assertTrue(Files.isDirectory(cell), "the cell started");
        assertFalse(Files.exists(cell.resolve("result.json")), "stopped before its end: no record, no failure");
    }
}
