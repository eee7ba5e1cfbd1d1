package org.detrkd.baselines.cli;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.detrkd.baselines.cli.DistillCommandTest.Run;
import org.detrkd.detr.cli.EvaluateCommand;
import org.detrkd.detr.cli.TrainCommand;
import org.detrkd.detr.train.RunSpec;
import org.detrkd.detr.train.TinyData;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.Test;

/**
 * {@code distill} end to end with an AdaMixer teacher ({@code train --detector adamixer}, one tiny epoch) on the tiny
 * generated dataset: a one-epoch DETRDistill AdaMixer student that {@code evaluate} reloads, and the refusals (a
 * student of another detector, CLoCKDistill without an encoder).
 */
public class AdaMixerDistillCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private Path teacher;

    @BeforeClass
    public void trainTeacher() throws Exception {
        teacher = Files.createTempDirectory("detrkd-adamixer-teacher");
        Run t = DistillCommandTest.run(new TrainCommand(), "--detector", "adamixer", "--size", "teacher", "--data",
                TinyData.folder().toString(), "--out", teacher.toString(), "--epochs", "1", "--batch-size", "4",
                "--queries", "6", "--lr", "1e-3", "--warmup", "0", "--eval-every", "0", "--augmentation", "none",
                "--threads", "1");
        assertEquals(t.exitCode(), 0, t.err() + t.failure());
    }

    @Test
    public void distilsAnAdaMixerStudentThatEvaluateReloads() throws Exception {
        Path out = Files.createTempDirectory("detrkd-adamixer-distill");
        Run d = DistillCommandTest.run(new DistillCommand(), "--teacher", teacher.toString(), "--data",
                TinyData.folder().toString(), "--out", out.toString(), "--epochs", "1", "--queries", "5",
                "--min-teacher-ap", "0", "--threads", "1", "--json");
        assertEquals(d.exitCode(), 0, d.err() + d.failure());
        JsonNode r = JSON.readTree(d.out());
        assertEquals(r.get("method").asText(), "detrdistill");
        assertEquals(r.get("steps").asLong(), 2L); // 8 images, batch 4
        assertTrue(r.get("student_ap").asDouble() >= 0);
        RunSpec spec = RunSpec.read(out.resolve("spec.json"));
        assertEquals(spec.detector(), "adamixer");
        assertEquals(spec.size(), "student");
        assertEquals(spec.queries(), 5);

        Run e = DistillCommandTest.run(new EvaluateCommand(), "--checkpoint", out.resolve("final-student").toString(),
                "--data", TinyData.folder().toString(), "--json", "--threads", "1");
        assertEquals(e.exitCode(), 0, e.err() + e.failure());
        assertEquals(JSON.readTree(e.out()).get("stats").get(0).asDouble(), r.get("student_ap").asDouble(), 1e-12);
    }

    @Test
    public void refusesAStudentOfAnotherDetector() throws Exception {
        Path out = Files.createTempDirectory("detrkd-adamixer-other");
        Run d = DistillCommandTest.run(new DistillCommand(), "--teacher", teacher.toString(), "--data",
                TinyData.folder().toString(), "--out", out.toString(), "--epochs", "1", "--detector",
                "deformable-detr", "--threads", "1");
        assertEquals(d.exitCode(), 2, d.err() + d.failure());
        assertEquals(d.failure().getMessage(), "--detector: the teacher is adamixer, the student would be "
                + "deformable-detr: teacher and student must be the same detector");
    }

    @Test
    public void clockDistillIsRefusedForAdaMixer() throws Exception {
        Path out = Files.createTempDirectory("detrkd-adamixer-clock");
        Run d = DistillCommandTest.run(new DistillCommand(), "--teacher", teacher.toString(), "--data",
                TinyData.folder().toString(), "--out", out.toString(), "--epochs", "1", "--method", "clockdistill",
                "--min-teacher-ap", "0", "--threads", "1");
        assertEquals(d.exitCode(), 2, d.err() + d.failure());
        assertTrue(d.failure().getMessage().endsWith("clockdistill distils an encoder's output and adamixer has no "
                + "encoder: use conditional-detr or deformable-detr"), d.failure().getMessage());
        Run c = DistillCommandTest.run(new CompareCommand(), "--teacher", teacher.toString(), "--data",
                TinyData.folder().toString(), "--out", out.resolve("compare").toString(), "--epochs", "1",
                "--methods", "clockdistill", "--threads", "1");
        assertEquals(c.exitCode(), 2, c.err() + c.failure());
        assertTrue(c.failure().getMessage().endsWith("clockdistill distils an encoder's output and the teacher "
                + "(adamixer) has none: leave it out"), c.failure().getMessage());
    }
}
