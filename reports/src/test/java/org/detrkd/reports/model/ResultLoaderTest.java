package org.detrkd.reports.model;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.expectThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.detrkd.reports.ResultFixtures;
import org.testng.annotations.Test;

/** Recursive discovery, shard merging and duplicate resolution. */
public class ResultLoaderTest {
    @Test
    public void mergesShardsAndKeepsTheNewestDuplicate() throws IOException {
        Path a = Files.createTempDirectory("detrkd-shard-a");
        Path b = Files.createTempDirectory("detrkd-shard-b");
        ResultJson.write(a.resolve("table5/x/s0/result.json"), ResultFixtures.cell("x").seed(0)
                .ap(0.40, 0.2, 0.4, 0.5).finishedAt("2026-11-02T00:00:00Z").build());
        ResultJson.write(b.resolve("deep/er/result.json"), ResultFixtures.cell("x").seed(0)
                .ap(0.41, 0.2, 0.4, 0.5).finishedAt("2026-11-01T00:00:00Z").build());
        ResultJson.write(b.resolve("y/result.json"), ResultFixtures.cell("x").seed(1)
                .ap(0.42, 0.2, 0.4, 0.5).build());
        ResultJson.write(b.resolve("z/result.json"), ResultFixtures.cell("a").seed(0)
                .ap(0.43, 0.2, 0.4, 0.5).build());
        Files.writeString(b.resolve("z/other.json"), "not read");
        List<LoadedResult> all = ResultLoader.load(List.of(b, a));
        assertEquals(all.size(), 3);
        assertEquals(all.get(0).record().cellId(), "a");
        assertEquals(all.get(1).record().seed(), 0L);
        assertEquals(all.get(1).record().metrics().ap(), 0.40, "the newer finished_at wins");
        assertEquals(all.get(1).file(), a.resolve("table5/x/s0/result.json"));
        assertEquals(all.get(2).record().seed(), 1L);
    }

    @Test
    public void missingFolderIsBadInput() {
        Path p = Path.of("/nonexistent/detrkd-results");
        ReportInputException e = expectThrows(ReportInputException.class, () -> ResultLoader.load(List.of(p)));
        assertEquals(e.getMessage(), p + ": no such file or folder");
    }

    @Test
    public void badFileAmongGoodOnesStopsWithItsName() throws IOException {
        Path a = Files.createTempDirectory("detrkd-shard-bad");
        ResultJson.write(a.resolve("ok/result.json"), ResultFixtures.cell("x").ap(0.4, 0.2, 0.4, 0.5).build());
        Files.createDirectories(a.resolve("bad"));
        Files.writeString(a.resolve("bad/result.json"), "[]");
        ReportInputException e = expectThrows(ReportInputException.class, () -> ResultLoader.load(List.of(a)));
        assertEquals(e.file(), a.resolve("bad/result.json").toString());
        assertEquals(e.problem(), "expected an object, got a list");
    }
}
