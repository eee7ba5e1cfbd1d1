package org.detrkd.reports.model;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.detrkd.reports.ResultFixtures;
import org.testng.annotations.Test;

/** Strict reading of result.json: round trip, and one-line errors with file, JSON location and problem. */
public class ResultJsonTest {
    private static ResultRecord sample() {
        return ResultFixtures.cell("adamixer-ld").paper("table5", null, "LD", null).method("detrdistill")
                .preset("paper").option("ld", true).seed(3).ap(0.436, 0.252, 0.463, 0.605).history(2)
                .instability(2.0, 1.0).build();
    }

    private static Path write(String json) throws IOException {
        Path dir = Files.createTempDirectory("detrkd-rj");
        Path file = dir.resolve("result.json");
        Files.writeString(file, json);
        return file;
    }

    @Test
    public void roundTripKeepsEveryField() throws IOException {
        ResultRecord r = sample();
        Path file = Files.createTempDirectory("detrkd-rj").resolve("cell/result.json");
        ResultJson.write(file, r);
        assertEquals(ResultJson.read(file), r);
        String json = Files.readString(file);
        assertTrue(json.contains("\"cell_id\" : \"adamixer-ld\""), json);
        assertTrue(json.contains("\"AP\" : 0.436"), json);
    }

    @Test
    public void failedCellKeepsNaNLossTerms() throws IOException {
        ResultRecord r = ResultFixtures.cell("x").failed("non-finite loss", 17).build();
        Path file = Files.createTempDirectory("detrkd-rj").resolve("result.json");
        ResultJson.write(file, r);
        assertTrue(Files.readString(file).contains("\"loss_ce\" : NaN"));
        ResultRecord back = ResultJson.read(file);
        assertTrue(Double.isNaN(back.failure().terms().get("loss_ce")));
        assertEquals(back.failure().step(), 17L);
        assertEquals(back.status(), Status.FAILED);
    }

    @Test
    public void unknownKeyNamesFileLocationAndKnownKeys() throws IOException {
        String json = ResultJson.toJson(sample()).replace("\"epochs\" : 12", "\"epochs\" : 12, \"epoch_count\" : 3");
        Path file = write(json);
        ReportInputException e = expectThrows(ReportInputException.class, () -> ResultJson.read(file));
        assertTrue(e.getMessage().startsWith(file + ": /epoch_count (line "), e.getMessage());
        assertTrue(e.getMessage().contains(": unknown key 'epoch_count' (known: cell_id, detector, environment, "
                + "epochs, failure, finished_at, history, instability, mask_images, method, metrics, options, "
                + "paper, peak_memory_bytes, preset, scale, schema_version, seed, status, steps_per_second, "
                + "student, suite, teacher, wall_time_seconds)"), e.getMessage());
        assertEquals(e.location().substring(0, 13), "/epoch_count ");
        assertTrue(!e.getMessage().contains("\n"));
    }

    @Test
    public void wrongTypeInsideHistoryIsLocated() throws IOException {
        String json = ResultJson.toJson(sample()).replaceFirst("\"AP\" : 0\\.218", "\"AP\" : \"high\"");
        Path file = write(json);
        ReportInputException e = expectThrows(ReportInputException.class, () -> ResultJson.read(file));
        assertTrue(e.getMessage().startsWith(file + ": /history/0/AP (line "), e.getMessage());
        assertTrue(e.getMessage().endsWith(": expected a number, got 'high'"), e.getMessage());
    }

    @Test
    public void badEnumValueListsTheChoices() throws IOException {
        Path file = write(ResultJson.toJson(sample()).replace("\"scale\" : \"mini\"", "\"scale\" : \"huge\""));
        ReportInputException e = expectThrows(ReportInputException.class, () -> ResultJson.read(file));
        assertTrue(e.getMessage().startsWith(file + ": /scale (line "), e.getMessage());
        assertTrue(e.getMessage().endsWith(": expected one of paper mini smoke, got 'huge'"), e.getMessage());
    }

    @Test
    public void missingRequiredKeyIsNamed() throws IOException {
        Path file = write(ResultJson.toJson(sample()).replace("\"seed\" : 3,", ""));
        ReportInputException e = expectThrows(ReportInputException.class, () -> ResultJson.read(file));
        assertTrue(e.getMessage().startsWith(file + ": / (line "), e.getMessage());
        assertTrue(e.getMessage().endsWith(": missing required key 'seed'"), e.getMessage());
    }

    @Test
    public void misspeltRequiredKeyIsNamedAsUnknownNotMissing() throws IOException {
        Path file = write(ResultJson.toJson(sample()).replace("\"seed\" : 3,", "\"sede\" : 3,"));
        ReportInputException e = expectThrows(ReportInputException.class, () -> ResultJson.read(file));
        assertTrue(e.getMessage().startsWith(file + ": /sede: unknown key 'sede' (known: cell_id, "), e.getMessage());
    }

    @Test
    public void unknownKeyInsideANestedRecordIsLocated() throws IOException {
        Path file = write(ResultJson.toJson(sample()).replace("\"git_commit\"", "\"commit\""));
        ReportInputException e = expectThrows(ReportInputException.class, () -> ResultJson.read(file));
        assertEquals(e.getMessage(), file + ": /environment/commit: unknown key 'commit' (known: detrkd_version, "
                + "devices, djl_version, git_commit, java_version, os, pytorch_version, threads)");
    }

    @Test
    public void nullForARequiredNumberIsRejected() throws IOException {
        Path file = write(ResultJson.toJson(sample()).replace("\"epochs\" : 12", "\"epochs\" : null"));
        ReportInputException e = expectThrows(ReportInputException.class, () -> ResultJson.read(file));
        assertTrue(e.getMessage().startsWith(file + ": /epochs (line "), e.getMessage());
        assertTrue(e.getMessage().endsWith(": null is not allowed here (expected an integer)"), e.getMessage());
    }

    @Test
    public void metricsOnThePercentScaleAreRejected() throws IOException {
        Path file = write(ResultJson.toJson(sample()).replace("\"AP\" : 0.436", "\"AP\" : 43.6"));
        ReportInputException e = expectThrows(ReportInputException.class, () -> ResultJson.read(file));
        assertEquals(e.getMessage(), file + ": /metrics/AP: must be on the 0-1 scale (or -1 for undefined), got 43.6");
    }

    @Test
    public void finishedCellWithoutMetricsIsRejected() throws IOException {
        String json = ResultJson.toJson(ResultFixtures.cell("x").failed("boom", 1).build())
                .replace("\"status\" : \"failed\"", "\"status\" : \"finished\"");
        Path file = write(json);
        ReportInputException e = expectThrows(ReportInputException.class, () -> ResultJson.read(file));
        assertEquals(e.getMessage(), file + ": /metrics: missing: a finished cell must have metrics");
    }

    @Test
    public void malformedJsonGivesLineAndColumn() throws IOException {
        Path file = write("{\n  \"schema_version\" : 1,\n  \"suite\" : \n}");
        ReportInputException e = expectThrows(ReportInputException.class, () -> ResultJson.read(file));
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        assertTrue(e.getMessage().contains("line 4, column 1"), e.getMessage());
        assertTrue(e.getMessage().contains("malformed JSON: Unexpected character ('}'"), e.getMessage());
    }

    @Test
    public void stringForAnIntegerIsNotCoerced() throws IOException {
        Path file = write(ResultJson.toJson(sample()).replace("\"seed\" : 3", "\"seed\" : \"3\""));
        ReportInputException e = expectThrows(ReportInputException.class, () -> ResultJson.read(file));
        assertTrue(e.getMessage().startsWith(file + ": /seed (line "), e.getMessage());
        assertTrue(e.getMessage().endsWith(": expected an integer, got '3'"), e.getMessage());
    }

    @Test
    public void environmentOfThisJvm() {
        Environment e = Environment.ofThisJvm("abc", "0.1.0", "0.35.1", "2.7.1", List.of("cpu()"), 2);
        assertEquals(e.javaVersion(), System.getProperty("java.version"));
        assertTrue(e.os().startsWith(System.getProperty("os.name") + " "), e.os());
        assertEquals(e.threads(), 2);
    }

    @Test
    public void missingFileIsBadInput() {
        Path file = Path.of("/nonexistent/detrkd/result.json");
        ReportInputException e = expectThrows(ReportInputException.class, () -> ResultJson.read(file));
        assertEquals(e.getMessage(), file + ": no such file");
    }
}
