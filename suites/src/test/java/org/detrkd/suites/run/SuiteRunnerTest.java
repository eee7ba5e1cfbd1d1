package org.detrkd.suites.run;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertNotNull;
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
 * cache across suites, and a failed record on divergence.
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
}
