package org.detrkd.reports.render;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.fail;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.detrkd.reports.ResultFixtures;
import org.detrkd.reports.model.ResultJson;
import org.detrkd.reports.model.ResultLoader;
import org.detrkd.reports.model.ResultRecord;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.DataProvider;
import org.testng.annotations.Test;

/**
 * Golden-file tests of the CSV, Markdown and HTML output for {@link ResultFixtures#standardSet()} (fixed environment,
 * fixed times, Locale.ROOT).
 *
 * <p>To regenerate the golden files after an intended change, run from the worktree root
 * {@code ./mvnw -B -o -q -pl reports test -Dtest=GoldenFilesTest -Ddetrkd.regenerateGoldens=true}: the files are
 * rewritten under {@code reports/src/test/resources/golden/} (the test then passes); review the diff before committing.
 * {@code golden/result-example.json} is one cell's {@code result.json}: the schema the runner writes, pinned.
 */
public class GoldenFilesTest {
    /** The files compared, relative to the report folder and to {@code golden/}. */
    static final List<String> FILES = List.of("results.csv", "summary.csv", "tables.md", "index.html",
            "leaderboard.html", "suites/table1-mini.html", "suites/table5-mini.html", "suites/table3-mini.html", "suites/table7-smoke.html",
            "suites/clockdistill-mini.html", "cells/table5-mini/adamixer-ld-seed0.html",
            "cells/table5-mini/adamixer-ad-seed1.html", "style.css", "result-example.json");

    private Path out;

    /** Writes the standard set as result.json files (one with a selection-mask PNG) into {@code dir}. */
    public static void writeStandardSet(Path dir) throws IOException {
        for (ResultRecord r : ResultFixtures.standardSet()) {
            Path cell = dir.resolve(r.suite() + "-" + r.scale().id()).resolve(r.cellId() + "-s" + r.seed());
            if (r.instability() != null && r.seed() == 0) {
                r = withMask(r, cell);
            }
            ResultJson.write(cell.resolve(ResultLoader.FILE_NAME), r);
        }
    }

    private static ResultRecord withMask(ResultRecord r, Path cell) throws IOException {
        writeMask(cell);
        return withMaskPath(r);
    }

    private static void writeMask(Path cell) throws IOException {
        BufferedImage img = new BufferedImage(32, 32, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                img.getRaster().setSample(x, y, 0, (x / 8 + y / 8) % 2 == 0 ? 230 : 20);
            }
        }
        Files.createDirectories(cell.resolve("masks"));
        ImageIO.write(img, "png", cell.resolve("masks/stage6.png").toFile());
    }

    /** The record with one selection-mask path; {@code result-example.json} pins the on-disk schema. */
    private static ResultRecord withMaskPath(ResultRecord r) {
        return new ResultRecord(r.schemaVersion(), r.suite(), r.scale(), r.cellId(), r.paper(), r.method(),
                r.preset(), r.options(), r.detector(), r.epochs(), r.teacher(), r.student(), r.seed(), r.status(),
                r.failure(), r.metrics(), r.history(), r.instability(), List.of("masks/stage6.png"),
                r.wallTimeSeconds(), r.stepsPerSecond(), r.peakMemoryBytes(), r.environment(), r.finishedAt());
    }

    /** Renders the standard set with all three formats into a new temporary folder. */
    public static Path renderStandardSet() throws IOException {
        Path results = Files.createTempDirectory("detrkd-golden-results");
        writeStandardSet(results);
        Path out = Files.createTempDirectory("detrkd-golden-out");
        ReportModel model = ReportModel.of(ResultLoader.load(List.of(results)));
        for (ResultFormat f : List.of(new HtmlSite(), new CsvFormat(), new MarkdownFormat())) {
            f.write(model, out);
        }
        return out;
    }

    @BeforeClass
    public void render() throws IOException {
        out = renderStandardSet();
        ResultRecord example = ResultFixtures.standardSet().stream()
                .filter(r -> r.cellId().equals("adamixer-ld") && r.seed() == 0).findFirst().orElseThrow();
        Files.writeString(out.resolve("result-example.json"), ResultJson.toJson(withMaskPath(example)) + "\n");
        if (Boolean.getBoolean("detrkd.regenerateGoldens")) {
            Path golden = Path.of(System.getProperty("user.dir"), "src/test/resources/golden");
            for (String f : FILES) {
                Files.createDirectories(golden.resolve(f).getParent());
                Files.copy(out.resolve(f), golden.resolve(f), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    @DataProvider
    public Object[][] files() {
        return FILES.stream().map(f -> new Object[] {f}).toArray(Object[][]::new);
    }

    @Test(dataProvider = "files")
    public void matchesGolden(String file) throws IOException {
        String expected;
        if (Boolean.getBoolean("detrkd.regenerateGoldens")) {
            expected = Files.readString(Path.of(System.getProperty("user.dir"), "src/test/resources/golden", file));
            assertEquals(Files.readString(out.resolve(file)), expected);
            return;
        }
        try (InputStream in = GoldenFilesTest.class.getResourceAsStream("/golden/" + file)) {
            if (in == null) {
                fail("missing golden file golden/" + file + " (regenerate: see this class's Javadoc)");
                return;
            }
            expected = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertEquals(Files.readString(out.resolve(file)), expected, "golden/" + file
                + " differs (regenerate after an intended change: see this class's Javadoc)");
    }

    @Test
    public void maskImageCopiedBesideItsCellPage() throws IOException {
        Path img = out.resolve("cells/table5-mini/adamixer-ld-seed0-mask0.png");
        assertTrue(Files.isRegularFile(img));
        assertEquals(ImageIO.read(img.toFile()).getWidth(), 32);
        assertTrue(Files.readString(out.resolve("cells/table5-mini/adamixer-ld-seed0.html"))
                .contains("<img src=\"adamixer-ld-seed0-mask0.png\""));
    }

    @Test
    public void noNetworkResources() throws IOException {
        for (String f : FILES) {
            if (f.endsWith(".html")) {
                String html = Files.readString(out.resolve(f));
                assertTrue(!html.contains("http://") && !html.contains("https://") || onlySvgNamespace(html),
                        f + " refers to the network");
            }
        }
    }

    private static boolean onlySvgNamespace(String html) {
        return html.replace("http://www.w3.org/2000/svg", "").indexOf("http") < 0;
    }
}
