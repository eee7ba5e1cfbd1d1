package org.detrkd.datasets.cli;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;
import static org.testng.Assert.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.detrkd.datasets.io.InputException;
import org.testng.annotations.Test;
import picocli.CommandLine;

/** The {@code eval} and {@code bench eval} commands: output parsed and checked against the reference values. */
public class EvalCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Path caseDir(String name) {
        String shared = System.getProperty("detrkd.shared");
        if (shared == null) {
            fail("system property detrkd.shared is not set (surefire sets it to the shared folder)");
        }
        return Path.of(shared, "reference", "coco-eval", name);
    }

    /** Parses {@code args} into {@code command}, runs it and returns what it printed. */
    private static String run(Callable<Integer> command, String... args) throws Exception {
        CommandLine cli = new CommandLine(command);
        StringWriter out = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.parseArgs(args);
        assertEquals(command.call(), Integer.valueOf(0));
        return out.toString();
    }

    private static String[] evalArgs(String name, String... more) {
        Path dir = caseDir(name);
        String[] base = {"--gt", dir.resolve("gt.json").toString(), "--dt", dir.resolve("dt.json").toString()};
        String[] all = new String[base.length + more.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }

    @Test
    public void jsonOutputHasReferenceStatsAndCategories() throws Exception {
        String out = run(new EvalCommand(), evalArgs("coco_val2014_100", "--json", "--threads", "2"));
        JsonNode got = JSON.readTree(out);
        JsonNode want = JSON.readTree(caseDir("coco_val2014_100").resolve("expected.json").toFile());
        assertEquals(got.get("stats").size(), 12);
        for (int i = 0; i < 12; i++) {
            assertEquals(got.get("stats").get(i).asDouble(), Double.parseDouble(want.get("stats_exact").get(i).asText()),
                    1e-9);
        }
        assertEquals(got.get("per_category").size(), 80);
        JsonNode person = got.get("per_category").get(0);
        assertEquals(person.get("id").asLong(), 1);
        assertEquals(person.get("name").asText(), "person");
        assertEquals(person.get("ap").asDouble(), want.get("per_category").get("1").get("AP").asDouble(), 5e-7);
        assertEquals(person.get("ar100").asDouble(), want.get("per_category").get("1").get("AR100").asDouble(), 5e-7);
        assertEquals(got.get("images").asInt(), 100);
        assertEquals(got.get("detections").asInt(), 734);
    }

    @Test
    public void textOutputIsPycocotoolsSummary() throws Exception {
        String out = run(new EvalCommand(), evalArgs("coco_val2014_100", "--threads", "1"));
        // pycocotools' published output for this 100-image subset (pycocoEvalDemo)
        String want = String.join(System.lineSeparator(),
                " Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 0.505",
                " Average Precision  (AP) @[ IoU=0.50      | area=   all | maxDets=100 ] = 0.697",
                " Average Precision  (AP) @[ IoU=0.75      | area=   all | maxDets=100 ] = 0.573",
                " Average Precision  (AP) @[ IoU=0.50:0.95 | area= small | maxDets=100 ] = 0.586",
                " Average Precision  (AP) @[ IoU=0.50:0.95 | area=medium | maxDets=100 ] = 0.519",
                " Average Precision  (AP) @[ IoU=0.50:0.95 | area= large | maxDets=100 ] = 0.501",
                " Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets=  1 ] = 0.387",
                " Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets= 10 ] = 0.594",
                " Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 0.595",
                " Average Recall     (AR) @[ IoU=0.50:0.95 | area= small | maxDets=100 ] = 0.640",
                " Average Recall     (AR) @[ IoU=0.50:0.95 | area=medium | maxDets=100 ] = 0.566",
                " Average Recall     (AR) @[ IoU=0.50:0.95 | area= large | maxDets=100 ] = 0.564") + System.lineSeparator();
        assertEquals(out, want);
    }

    @Test
    public void perCategoryTableListsEveryCategory() throws Exception {
        String out = run(new EvalCommand(), evalArgs("edge", "--per-category"));
        String[] lines = out.split("\\R");
        assertEquals(lines.length, 12 + 1 + 1 + 8, out);
        assertTrue(lines[13].matches("\\s+id\\s+name\\s+AP\\s+AP50.*ARl"), lines[13]);
        // category 11 has detections only: -1 everywhere
        assertTrue(lines[16].matches("\\s+11\\s+\\S+( +-1\\.000){12}"), lines[16]);
    }

    @Test
    public void missingDetectionsFileIsInputError() throws IOException {
        Path dir = Files.createTempDirectory("evalcmd");
        Path missing = dir.resolve("missing.json");
        Path gt = caseDir("edge").resolve("gt.json");
        InputException e = expectThrows(InputException.class,
                () -> run(new EvalCommand(), "--gt", gt.toString(), "--dt", missing.toString()));
        assertEquals(e.getMessage(), missing + ": file not found");
        Files.delete(dir);
    }

    @Test
    public void benchEvalPrintsTimingsAsJson() throws Exception {
        JsonNode got = JSON.readTree(run(new BenchEvalCommand(), "--images", "40", "--threads", "2", "--repeat", "1",
                "--seed", "3"));
        assertEquals(got.get("images").asInt(), 40);
        assertEquals(got.get("threads").asInt(), 2);
        assertTrue(got.get("detections").asInt() >= 40 * 90, got.toString());
        assertTrue(got.get("gt_boxes").asInt() > 0);
        for (String f : new String[] {"load_ms", "evaluate_ms", "accumulate_ms", "total_ms"}) {
            assertTrue(got.get(f).asDouble() >= 0, f);
        }
        assertTrue(got.get("total_ms").asDouble() >= got.get("evaluate_ms").asDouble());
        assertEquals(got.get("java_version").asText(), System.getProperty("java.version"));
    }
}
