package org.detrkd.quickstart;

import static org.testng.Assert.assertEquals;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.detrkd.cli.Detrkd;
import org.detrkd.detr.distill.DistillRun;
import org.detrkd.detr.train.RunSpec;
import picocli.CommandLine;

/**
 * A tiny stand-in for the shipped teacher files, made in seconds: a tiny generated benchmark, a mini teacher trained
 * on it for one epoch ({@code detrkd train --size teacher}), a student backbone pretrained for two steps
 * ({@code detrkd pretrain --size student}), and their {@code SHA256SUMS}, in the layout {@code quickstart --shipped}
 * reads.
 */
public final class QuickstartFixtures {
    /** Training images of the tiny benchmark. */
    public static final int TRAIN = 16;
    /** Validation images of the tiny benchmark. */
    public static final int VAL = 4;
    /** Image side of the tiny benchmark. */
    public static final int IMAGE_SIZE = 64;

    private QuickstartFixtures() {
    }

    /**
     * @param dir an empty folder
     * @return the folder holding the four files
     */
    public static Path tinyShippedFolder(Path dir) throws IOException {
        Path data = dir.resolve("data");
        run("data", "make", "shapes", "--out", data.toString(), "--train", Integer.toString(TRAIN), "--val",
                Integer.toString(VAL), "--image-size", Integer.toString(IMAGE_SIZE), "--threads", "1");
        Path teacher = dir.resolve("teacher-run");
        run("train", "--size", "teacher", "--data", data.toString(), "--epochs", "1", "--batch-size", "4",
                "--threads", "1", "--eval-every", "0", "--log-every", "1", "--out", teacher.toString());
        Path backbone = dir.resolve("pre-student.safetensors");
        run("pretrain", "--size", "student", "--data", data.toString(), "--out", backbone.toString(), "--steps", "2",
                "--batch-size", "8", "--threads", "1", "--log-every", "1");
        Path shipped = dir.resolve("shipped");
        Files.createDirectories(shipped);
        Files.copy(DistillRun.latestWeights(teacher).resolve("student.safetensors"),
                shipped.resolve(ShippedFiles.TEACHER));
        Files.copy(teacher.resolve(RunSpec.FILE), shipped.resolve(ShippedFiles.TEACHER_SPEC));
        Files.copy(backbone, shipped.resolve(ShippedFiles.STUDENT_BACKBONE));
        StringBuilder sums = new StringBuilder();
        for (String f : ShippedFiles.FILES) {
            sums.append(ShippedFiles.sha256(shipped.resolve(f))).append("  ").append(f).append('\n');
        }
        Files.writeString(shipped.resolve(ShippedFiles.SUMS), sums);
        return shipped;
    }

    private static void run(String... args) {
        CommandLine cli = Detrkd.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        assertEquals(cli.execute(args), 0, String.join(" ", args) + ": " + err + out);
    }
}
