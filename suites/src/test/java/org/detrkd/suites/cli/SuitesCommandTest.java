package org.detrkd.suites.cli;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.detrkd.cli.Detrkd;
import org.testng.annotations.Test;
import picocli.CommandLine;

/** {@code detrkd suites} and {@code detrkd suites show}, through the real top-level command and its exit codes. */
public class SuitesCommandTest {
    /** Output, error output and exit code of one run. */
    record Run(int code, String out, String err) {
    }

    static Run run(String... args) {
        CommandLine cli = Detrkd.commandLine();
        if (!cli.getSubcommands().containsKey("suites")) {
            cli.addSubcommand(new SuitesCommand());   // until the lead registers it in Subcommands
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    public void listsEverySuiteWithItsCellCountPerScale() {
        Run r = run("suites");
        assertEquals(r.code(), 0, r.err());
        String[] lines = r.out().split("\n");
        assertTrue(lines[0].startsWith("suite"), r.out());
        assertTrue(lines[0].contains("paper cells/time") && lines[0].contains("smoke cells/time"), lines[0]);
        assertTrue(lines[1].matches("table1\\s+18\\s+~.*\\s+54\\s+~.*\\s+18\\s+~.*Tab\\. 1: .*"), lines[1]);
        assertTrue(lines[3].matches("table3\\s+19\\s+~.*\\s+51\\s+~.*\\s+19\\s+~.*"), lines[3]);
        assertTrue(lines[8].matches("clockdistill\\s+8\\s+~.*\\s+20\\s+~.*\\s+8\\s+~.*"), lines[8]);
        assertTrue(lines[9].contains("ESTIMATES"), lines[9]);
    }

    @Test
    public void jsonForOneScale() throws Exception {
        Run r = run("suites", "--scale", "mini", "--json");
        assertEquals(r.code(), 0, r.err());
        JsonNode doc = new ObjectMapper().readTree(r.out());
        assertEquals(doc.get("suites").size(), 8);
        JsonNode t4 = doc.get("suites").get(3);
        assertEquals(t4.get("suite").asText(), "table4");
        assertEquals(t4.get("scales").get("mini").get("cells").asInt(), 25);
        assertTrue(t4.get("scales").get("mini").get("estimated_seconds").asLong() > 0);
        assertTrue(!t4.get("scales").has("paper"));
        // a paper-scale suite on CPU takes far longer than its mini version
        Run paper = run("suites", "--scale", "paper", "--json");
        JsonNode p4 = new ObjectMapper().readTree(paper.out()).get("suites").get(3);
        assertTrue(p4.get("scales").get("paper").get("estimated_seconds").asLong()
                > 100 * t4.get("scales").get("mini").get("estimated_seconds").asLong());
    }

    @Test
    public void showPrintsCellsWithPaperNumbers() {
        Run r = run("suites", "show", "table4", "--scale", "paper");
        assertEquals(r.code(), 0, r.err());
        assertTrue(r.out().startsWith("table4 (paper): Tab. 4"), r.out());
        assertTrue(r.out().matches("(?s).*conditional\\.detrdistill\\.enc3-dec3\\.seed0\\s+detrdistill\\s+paper\\s+"
                + "table4 \\[3/3\\] DETRDistill\\s+35\\.7 / 14\\.4 / 38\\.7 / 53\\.8\n.*"), r.out());
        assertTrue(r.out().contains("9 cells, estimated ~"), r.out());
    }

    @Test
    public void showJsonIsTheResolvedCells() throws Exception {
        Run r = run("suites", "show", "table1", "--scale", "smoke", "--json");
        JsonNode cells = new ObjectMapper().readTree(r.out()).get("cells");
        assertEquals(cells.size(), 18);
        JsonNode c = cells.get(5);
        assertEquals(c.get("cell_id").asText(), "adamixer.fgd.e12");
        assertEquals(c.get("paper").get("column").asText(), "AP@epoch12");
        assertEquals(c.get("paper_value").get("AP").asDouble(), 40.7);
        assertEquals(c.get("schedule").get("epochs").asInt(), 3);
        assertEquals(c.get("options").get("temperature").asDouble(), 0.5);
        assertEquals(c.get("teacher").get("model").get("backbone").asText(), "mini-teacher");
        assertEquals(c.get("teacher").get("schedule").get("epochs").asInt(), 3);
    }

    @Test
    public void aSuiteFileByPathAndItsErrorsExitWith2() throws Exception {
        Path dir = Files.createTempDirectory("suites-cli");
        Path file = dir.resolve("my.yaml");
        String table7;
        try (var in = SuitesCommand.class.getResourceAsStream("/org/detrkd/suites/table7.yaml")) {
            table7 = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        Files.writeString(file, table7.replace("suite: table7", "suite: my-table7"));
        Run ok = run("suites", "show", file.toString(), "--scale", "smoke");
        assertEquals(ok.code(), 0, ok.err());
        assertTrue(ok.out().startsWith("my-table7 (smoke)"), ok.out());

        Files.writeString(file, table7.replace("progressive: last-stage}", "progressive: first-stage}"));
        Run bad = run("suites", "show", file.toString());
        assertEquals(bad.code(), 2);
        int line = lineOf(table7, "progressive: last-stage}");
        assertEquals(bad.err(), "detrkd: " + file + ": line " + line + ", column 29: unknown progressive 'first-stage' "
                + "in methods[1].options.logits; known: per-stage, last-stage\n");

        Run coco = run("suites", "show", "table5", "--scale", "paper", "--check-paths");
        assertEquals(coco.code(), 2);
        assertTrue(coco.err().startsWith("detrkd: suites/table5.yaml: line "), coco.err());
        assertTrue(coco.err().contains("data/coco does not exist"), coco.err());

        assertEquals(run("suites", "show", "table9").err(), "detrkd: unknown suite 'table9'; built-in suites: table1, "
                + "table2, table3, table4, table5, table6, table7, clockdistill (or give the path of a suite file)\n");
        assertEquals(run("suites", "--scale", "huge").code(), 2);
    }

    private static int lineOf(String text, String needle) {
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].contains(needle)) {
                return i + 1;
            }
        }
        throw new AssertionError("no " + needle);
    }
}
