package org.detrkd.detr.cli;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertNotNull;
import static org.testng.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.detrkd.datasets.io.InputException;
import org.testng.annotations.Test;
import picocli.CommandLine;

/** {@code tools assign}: the printed JSON parsed and checked, and bad input surfacing as {@link InputException}. */
public class AssignCommandTest {

    /** Output, error text, exit code and the exception raised by the command (null if none). */
    record Run(String out, String err, int exitCode, Exception failure) {}

    static Run run(Object command, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Exception[] failure = new Exception[1];
        CommandLine cli = new CommandLine(command);
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        cli.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            failure[0] = ex;
            return ex instanceof InputException ? 2 : 3;
        });
        int code = cli.execute(args);
        return new Run(out.toString(), err.toString(), code, failure[0]);
    }

    @Test
    public void printsTheOptimalAssignmentAsJson() throws IOException {
        Path csv = Files.createTempFile("assign", ".csv");
        try {
            Files.writeString(csv, "4,1,3\n2,0,5\n3,2,2\n");
            Run r = run(new AssignCommand(), "--cost", csv.toString());
            assertEquals(r.exitCode(), 0, r.err());
            JsonNode json = new ObjectMapper().readTree(r.out());
            assertEquals(json.size(), 3);
            assertEquals(json.get("rows").toString(), "[0,1,2]");
            assertEquals(json.get("cols").toString(), "[1,0,2]");
            assertEquals(json.get("total").asDouble(), 5.0, 0.0);
            assertTrue(r.out().endsWith("\n") && r.out().indexOf('\n') == r.out().length() - 1, "one line");
        } finally {
            Files.deleteIfExists(csv);
        }
    }

    @Test
    public void tallMatrixListsOnlyMatchedRows() throws IOException {
        Path csv = Files.createTempFile("assign-tall", ".csv");
        try {
            Files.writeString(csv, "5,5\n9,1\n5,5\n2,9\n0.5,0.75\n");
            Run r = run(new AssignCommand(), "--cost", csv.toString());
            JsonNode json = new ObjectMapper().readTree(r.out());
            assertEquals(json.get("rows").toString(), "[1,4]");
            assertEquals(json.get("cols").toString(), "[1,0]");
            assertEquals(json.get("total").asDouble(), 1.5, 0.0);
        } finally {
            Files.deleteIfExists(csv);
        }
    }

    @Test
    public void badCellIsAnInputErrorWithLineAndColumn() throws IOException {
        Path csv = Files.createTempFile("assign-bad", ".csv");
        try {
            Files.writeString(csv, "1,2\n3,x\n");
            Run r = run(new AssignCommand(), "--cost", csv.toString());
            assertEquals(r.exitCode(), 2);
            assertNotNull(r.failure());
            assertEquals(r.failure().getMessage(), csv + ": line 2, column 2: not a number: \"x\"");
            assertEquals(r.out(), "");
        } finally {
            Files.deleteIfExists(csv);
        }
    }

    @Test
    public void costBeyondTheSolverRangeIsAnInputError() throws IOException {
        Path csv = Files.createTempFile("assign-huge", ".csv");
        try {
            Files.writeString(csv, "1,2\n3,-1e300\n");
            Run r = run(new AssignCommand(), "--cost", csv.toString());
            assertEquals(r.exitCode(), 2);
            assertEquals(r.failure().getMessage(),
                    csv + ": line 2, column 2: cost -1.0E300 is too large; costs must lie within +-1.0E250");
        } finally {
            Files.deleteIfExists(csv);
        }
    }

    @Test
    public void missingOptionIsAUsageError() {
        Run r = run(new AssignCommand());
        assertEquals(r.exitCode(), CommandLine.ExitCode.USAGE);
        assertTrue(r.err().contains("Missing required option: '--cost=FILE.csv'"), r.err());
    }
}
