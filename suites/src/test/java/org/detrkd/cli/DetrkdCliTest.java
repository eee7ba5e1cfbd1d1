package org.detrkd.cli;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine;
import org.testng.annotations.Test;

/** The top-level command line: help, version, and the exit-code contract for bad input. */
public class DetrkdCliTest {

    /** Runs the CLI capturing stdout and stderr. */
    static final class Run {
        final int code;
        final String out;
        final String err;

        Run(String... args) {
            CommandLine cli = Detrkd.commandLine();
            StringWriter o = new StringWriter();
            StringWriter e = new StringWriter();
            cli.setOut(new PrintWriter(o, true));
            cli.setErr(new PrintWriter(e, true));
            code = cli.execute(args);
            out = o.toString();
            err = e.toString();
        }
    }

    @Test
    public void helpListsEveryCommand() {
        Run r = new Run("--help");
        assertEquals(r.code, 0);
        for (String name : new String[] {"quickstart", "data", "eval", "report", "check", "bench", "tools"}) {
            assertTrue(r.out.contains("  " + name + " "), "help lists '" + name + "':\n" + r.out);
        }
    }

    @Test
    public void versionNamesCommitAndJava() {
        Run r = new Run("--version");
        assertEquals(r.code, 0);
        assertTrue(r.out.startsWith("detrkd "), r.out);
        assertTrue(r.out.contains("commit "), r.out);
        assertTrue(r.out.contains("Java " + System.getProperty("java.version")), r.out);
    }

    @Test
    public void unknownOptionIsOneLineExitTwo() {
        Run r = new Run("--frobnicate");
        assertEquals(r.code, Detrkd.EXIT_BAD_INPUT);
        assertEquals(r.err.strip().lines().count(), 1L, r.err);
        assertTrue(r.err.startsWith("detrkd: Unknown option: '--frobnicate'"), r.err);
    }

    @Test
    public void groupWithoutSubcommandIsBadInput() {
        Run r = new Run("data");
        assertEquals(r.code, Detrkd.EXIT_BAD_INPUT);
        assertTrue(r.err.startsWith("detrkd: missing subcommand (see 'detrkd data --help')"), r.err);
    }

    @Test
    public void missingFileIsOneLineNamingTheFile() throws Exception {
        Path dir = Files.createTempDirectory("detrkd-cli");
        Path gt = dir.resolve("nope.json");
        Run r = new Run("eval", "--gt", gt.toString(), "--dt", gt.toString());
        assertEquals(r.code, Detrkd.EXIT_BAD_INPUT);
        assertEquals(r.err.strip().lines().count(), 1L, r.err);
        assertTrue(r.err.startsWith("detrkd: " + gt + ": "), r.err);
    }

    @Test
    public void reportsBadInputIsAlsoExitTwo() throws Exception {
        Path missing = Files.createTempDirectory("detrkd-cli").resolve("results");
        Run r = new Run("check", missing.toString(), "--baseline", missing.toString());
        assertEquals(r.code, Detrkd.EXIT_BAD_INPUT, r.err);
        assertEquals(r.err.strip(), "detrkd: " + missing + ": no such file or folder");
    }

    @Test
    public void malformedJsonIsOneLineWithLine() throws Exception {
        Path dir = Files.createTempDirectory("detrkd-cli");
        Path gt = dir.resolve("gt.json");
        Files.writeString(gt, "{\"images\": [\n{\"id\": 1,,}\n]}");
        Run r = new Run("eval", "--gt", gt.toString(), "--dt", gt.toString());
        assertEquals(r.code, Detrkd.EXIT_BAD_INPUT);
        assertTrue(r.err.startsWith("detrkd: " + gt + ": line 2, column "), r.err);
        assertTrue(r.err.contains("malformed JSON"), r.err);
    }
}
