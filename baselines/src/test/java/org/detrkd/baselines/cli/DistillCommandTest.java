package org.detrkd.baselines.cli;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.detrkd.datasets.io.InputException;
import org.detrkd.detr.cli.AnalyzeInstabilityCommand;
import org.detrkd.detr.cli.EvaluateCommand;
import org.detrkd.detr.cli.TrainCommand;
import org.detrkd.detr.train.TinyData;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.Test;
import picocli.CommandLine;

/**
 * {@code distill}, {@code analyze instability} and the teacher gate end to end on the tiny generated dataset: a
 * briefly trained mini teacher, a one-epoch DETRDistill student, its instability, its export, and the refusals.
 */
public class DistillCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private Path teacher;

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

    @BeforeClass
    public void trainTeacher() throws Exception {
        teacher = Files.createTempDirectory("detrkd-teacher");
        Run t = run(new TrainCommand(), "--size", "teacher", "--data", TinyData.folder().toString(), "--out",
                teacher.toString(), "--epochs", "2", "--batch-size", "4", "--queries", "6", "--lr", "1e-3",
                "--warmup", "0", "--eval-every", "0", "--augmentation", "none", "--threads", "1");
        assertEquals(t.exitCode(), 0, t.err() + t.failure());
    }

    @Test
    public void distilsEvaluatesAndAnalysesAStudent() throws Exception {
        Path out = Files.createTempDirectory("detrkd-distill");
        Run d = run(new DistillCommand(), "--teacher", teacher.toString(), "--data", TinyData.folder().toString(),
                "--out", out.toString(), "--epochs", "1", "--queries", "5", "--min-teacher-ap", "0",
                "--baseline", teacher.toString(), "--threads", "1", "--json");
        assertEquals(d.exitCode(), 0, d.err() + d.failure());
        JsonNode r = JSON.readTree(d.out());
        assertEquals(r.get("method").asText(), "detrdistill");
        assertEquals(r.get("settings").get("preset").asText(), "paper");
        assertEquals(r.get("settings").get("lambda-feat").asDouble(), 20.0);
        assertEquals(r.get("steps").asLong(), 2L); // 8 images, batch 4
        // the "baseline" here is the teacher's own folder: the same model evaluated the same way
        assertEquals(r.get("baseline_ap").asDouble(), r.get("teacher_ap").asDouble(), 1e-12);
        assertTrue(Files.isRegularFile(out.resolve("spec.json")));
        assertTrue(Files.isRegularFile(out.resolve("distill.json")));

        Run e = run(new EvaluateCommand(), "--checkpoint", out.resolve("final-student").toString(), "--data",
                TinyData.folder().toString(), "--json", "--threads", "1");
        assertEquals(e.exitCode(), 0, e.err() + e.failure());
        assertEquals(JSON.readTree(e.out()).get("stats").get(0).asDouble(), r.get("student_ap").asDouble(), 1e-12);

        Run is = run(new AnalyzeInstabilityCommand(), "--checkpoint", out.toString(), "--data",
                TinyData.folder().toString(), "--json", "--threads", "1");
        assertEquals(is.exitCode(), 0, is.err() + is.failure());
        JsonNode pairs = JSON.readTree(is.out()).get("instability");
        assertEquals(pairs.size(), 2); // mini student: 3 decoder stages
        for (JsonNode p : pairs) {
            long v = p.get("is").asLong();
            assertTrue(v >= 0 && v <= 4L * 5, "IS " + v + " over 4 images x 5 queries");
        }
    }

    @Test
    public void resumesTheSameDistillationAndRefusesAnotherInTheSameFolder() throws Exception {
        Path out = Files.createTempDirectory("detrkd-resume");
        String[] args = {"--teacher", teacher.toString(), "--data", TinyData.folder().toString(), "--out",
            out.toString(), "--epochs", "1", "--queries", "4", "--min-teacher-ap", "0", "--threads", "1", "--json",
            "--kd-option", "ld-split=threshold", "--no-ad"};
        Run first = run(new DistillCommand(), concat(args, "--stop-after-steps", "1"));
        assertEquals(first.exitCode(), 0, first.err() + first.failure());
        assertEquals(JSON.readTree(first.out()).get("steps").asLong(), 1L);
        assertEquals(JSON.readTree(first.out()).get("settings").get("ad").asBoolean(), false);
        assertEquals(JSON.readTree(first.out()).get("settings").get("ld-split").asText(), "threshold");
        Run second = run(new DistillCommand(), args);
        assertEquals(second.exitCode(), 0, second.err() + second.failure());
        JsonNode r = JSON.readTree(second.out());
        assertEquals(r.get("resumed_from_step").asLong(), 1L);
        assertEquals(r.get("steps").asLong(), 2L);
        Run other = run(new DistillCommand(), concat(args, "--preset", "released-code"));
        assertEquals(other.exitCode(), 2);
        assertTrue(other.failure().getMessage().contains("distill.json: preset: the folder holds a distillation"),
                other.failure().getMessage());
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    public void refusesATeacherBelowTheDeclaredAp() throws Exception {
        Path out = Files.createTempDirectory("detrkd-refused");
        Run d = run(new DistillCommand(), "--teacher", teacher.toString(), "--data", TinyData.folder().toString(),
                "--out", out.toString(), "--epochs", "1", "--min-teacher-ap", "0.99", "--threads", "1");
        assertEquals(d.exitCode(), 2, d.err() + d.failure());
        String msg = d.failure().getMessage();
        assertTrue(msg.contains("below the required 0.9900 (--min-teacher-ap): refusing to distill"), msg);
        assertTrue(msg.matches("(?s).*teacher AP 0\\.\\d{4} is below.*"), msg);
        assertTrue(!Files.exists(out.resolve("checkpoints")), "nothing trained");
    }

    @Test
    public void moreGpusThanTheEngineSeesAreRefused() throws Exception {
        int gpus = ai.djl.engine.Engine.getInstance().getGpuCount();
        if (gpus >= 2) {
            throw new org.testng.SkipException("this machine has " + gpus + " GPUs");
        }
        Path out = Files.createTempDirectory("detrkd-devices");
        Run d = run(new DistillCommand(), "--teacher", teacher.toString(), "--data", TinyData.folder().toString(),
                "--out", out.toString(), "--epochs", "1", "--devices", "2", "--threads", "1");
        assertEquals(d.exitCode(), 2, d.err() + d.failure());
        assertTrue(d.failure().getMessage().startsWith("--devices: asked for 2 GPUs but the engine sees " + gpus),
                d.failure().getMessage());
        assertTrue(!Files.exists(out.resolve("checkpoints")), "nothing trained");
    }

    @Test
    public void unknownMethodListsTheKnownOnes() throws Exception {
        Path out = Files.createTempDirectory("detrkd-unknown");
        Run d = run(new DistillCommand(), "--teacher", teacher.toString(), "--data", TinyData.folder().toString(),
                "--out", out.toString(), "--epochs", "1", "--method", "fitnett", "--threads", "1");
        assertEquals(d.exitCode(), 2);
        assertTrue(d.failure().getMessage().contains("known: none, detrdistill"), d.failure().getMessage());
    }
}
