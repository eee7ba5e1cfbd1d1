package org.detrkd.baselines.cli;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.detrkd.detr.cli.TrainCommand;
import org.detrkd.detr.train.TinyData;
import org.testng.annotations.Test;

/**
 * {@code compare} on the tiny generated dataset: the KD-off control and one method, one folder each, the table, the
 * JSON, a rerun that reads the finished results back instead of training again, and an unknown method's refusal.
 */
public class CompareCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    public void tableShowsApAndStepTimeRelativeToThePlainStudent() {
        double[] a = {0.5, 0.75, 0.4, 0.1, 0.2, 0.3};
        double[] b = {0.25, 0.5, 0.2, 0.05, 0.15, 0.35};
        String t = CompareCommand.table(List.of(new CompareCommand.Row("none", a, 10, 2.0, "epochs"),
                new CompareCommand.Row("fitnet", b, 10, 3.0, "epochs")),
                new CompareCommand.Row("plain (--baseline)", a, 0, 0, "-"));
        String[] lines = t.split("\n");
        assertEquals(lines[1], "none                  0.5000  0.7500  0.1000  0.2000  0.3000      200.0     1.00      10");
        assertEquals(lines[2], "fitnet                0.2500  0.5000  0.0500  0.1500  0.3500      300.0     1.50      10");
        assertEquals(lines[3], "plain (--baseline)    0.5000  0.7500  0.1000  0.2000  0.3000          -        -       -");
    }

    @Test
    public void comparesMethodsInOneFolderEachAndResumes() throws Exception {
        Path teacher = Files.createTempDirectory("detrkd-cmp-teacher");
        DistillCommandTest.Run t = DistillCommandTest.run(new TrainCommand(), "--size", "teacher", "--data",
                TinyData.folder().toString(), "--out", teacher.toString(), "--epochs", "1", "--batch-size", "4",
                "--queries", "4", "--lr", "1e-3", "--warmup", "0", "--eval-every", "0", "--augmentation", "none",
                "--threads", "1");
        assertEquals(t.exitCode(), 0, t.err() + t.failure());
        Path out = Files.createTempDirectory("detrkd-cmp");
        String[] args = {"--teacher", teacher.toString(), "--data", TinyData.folder().toString(), "--out",
            out.toString(), "--methods", "fitnet", "--epochs", "1", "--queries", "4", "--min-teacher-ap", "0",
            "--threads", "1", "--baseline", teacher.toString()};
        DistillCommandTest.Run c = DistillCommandTest.run(new CompareCommand(), args);
        assertEquals(c.exitCode(), 0, c.err() + c.failure());
        String[] lines = c.out().split("\n");
        assertTrue(lines[0].startsWith("method"), c.out());
        assertTrue(lines[1].startsWith("none "), c.out());
        assertTrue(lines[2].startsWith("fitnet "), c.out());
        assertTrue(lines[3].startsWith("plain (--baseline) "), c.out());
        assertTrue(lines[1].contains(" 1.00 "), "none is the time reference: " + lines[1]);
        JsonNode doc = JSON.readTree(out.resolve("compare.json").toFile());
        assertEquals(doc.get("methods").size(), 2);
        assertEquals(doc.get("methods").get(1).get("steps").asLong(), 2L); // 8 images, batch 4
        assertTrue(Files.isRegularFile(out.resolve("fitnet").resolve("final-student").resolve("student.safetensors")));
        JsonNode distill = JSON.readTree(out.resolve("fitnet").resolve("distill.json").toFile());
        assertEquals(distill.get("method").asText(), "fitnet");

        long stamp = Files.getLastModifiedTime(out.resolve("fitnet").resolve(CompareCommand.RESULT)).toMillis();
        DistillCommandTest.Run again = DistillCommandTest.run(new CompareCommand(), args);
        assertEquals(again.exitCode(), 0, again.err() + again.failure());
        assertEquals(again.out().split("\n")[2], lines[2], "finished methods are read back");
        assertEquals(Files.getLastModifiedTime(out.resolve("fitnet").resolve(CompareCommand.RESULT)).toMillis(), stamp);

        String[] longer = args.clone();
        longer[java.util.Arrays.asList(args).indexOf("--epochs") + 1] = "2";
        DistillCommandTest.Run other = DistillCommandTest.run(new CompareCommand(), longer);
        assertEquals(other.exitCode(), 2);
        assertTrue(other.failure().getMessage().contains("the folder holds a finished run with teacher "),
                other.failure().getMessage());

        DistillCommandTest.Run bad = DistillCommandTest.run(new CompareCommand(), "--teacher", teacher.toString(),
                "--data", TinyData.folder().toString(), "--out", out.toString(), "--methods", "fitnett", "--epochs",
                "1");
        assertEquals(bad.exitCode(), 2);
        assertTrue(bad.failure().getMessage().contains("unknown distillation method 'fitnett'; known: none, "
                + "detrdistill, fitnet"), bad.failure().getMessage());
    }
}
