package org.detrkd.detr.cli;

import static org.testng.Assert.assertEquals;

import org.detrkd.detr.train.TinyData;
import org.testng.annotations.Test;

import java.nio.file.Files;
import java.nio.file.Path;

/** {@code train}: bad input gives one-line InputException messages (exit 2) before any training. */
public class TrainCommandTest {

    private static String failure(String... args) {
        AssignCommandTest.Run r = AssignCommandTest.run(new TrainCommand(), args);
        assertEquals(r.exitCode(), 2, r.err() + r.out());
        return r.failure().getMessage();
    }

    private static String[] with(String... extra) {
        String[] base = {"--size", "student", "--data", TinyData.folder().toString(), "--out", "/tmp/unused-out"};
        String[] all = new String[base.length + extra.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return all;
    }

    @Test
    public void rejectsBadInputWithOneLineMessages() {
        assertEquals(failure("--size", "student", "--data", "/no/such/dir", "--out", "/tmp/x", "--epochs", "1"),
                "/no/such/dir: no such dataset folder");
        assertEquals(failure(with("--epochs", "1", "--detector", "yolo")),
                "--detector: unknown detector 'yolo'; known: conditional-detr, deformable-detr, adamixer");
        assertEquals(failure("--size", "huge", "--data", TinyData.folder().toString(), "--out", "/tmp/x",
                "--epochs", "1"), "--size: unknown size 'huge'; known: teacher, student, paper, paper-teacher");
        assertEquals(failure(with("--epochs", "2", "--minutes", "3")), "--epochs/--minutes: give one of them, not both");
        assertEquals(failure(with()), "--epochs/--minutes: give one of them");
        assertEquals(failure(with("--epochs", "0")), "--epochs: must be positive, got 0");
        assertEquals(failure(with("--minutes", "-1")), "--minutes: must be positive, got -1.0");
        assertEquals(failure(with("--epochs", "1", "--batch-size", "0")), "--batch-size: must be positive, got 0");
        assertEquals(failure(with("--epochs", "1", "--lr", "0")), "--lr: must be positive, got 0.0");
        assertEquals(failure(with("--epochs", "1", "--threads", "-2")), "--threads: must be positive, got -2");
        assertEquals(failure(with("--epochs", "1", "--augmentation", "mosaic")),
                "--augmentation: unknown augmentation 'mosaic'; known: flip, none");
    }

    /** {@code --devices N}: N GPUs the engine must see (none here); a batch that does not split evenly. */
    @Test
    public void rejectsMoreGpusThanTheEngineSees() {
        int gpus = ai.djl.engine.Engine.getInstance().getGpuCount();
        if (gpus >= 2) {
            throw new org.testng.SkipException("this machine has " + gpus + " GPUs");
        }
        assertEquals(failure(with("--epochs", "1", "--devices", "2")), "--devices: asked for 2 GPUs but the engine "
                + "sees " + gpus + (gpus == 0 ? " (a CPU-only libtorch or no CUDA device); use --devices 0 (CPU, "
                + "with --threads)" : "; use --devices 1.." + gpus));
        assertEquals(failure(with("--epochs", "1", "--devices", "-1")),
                "--devices: must be auto, 0 (CPU) or a number of GPUs, got -1");
    }

    @Test
    public void rejectsADifferentRunInTheSameFolder() throws Exception {
        Path out = Files.createTempDirectory("detrkd-train-other");
        writeSpec(out);
        String msg = failure("--size", "student", "--data", TinyData.folder().toString(), "--out", out.toString(),
                "--epochs", "1", "--batch-size", "4", "--seed", "9");
        assertEquals(msg, out.resolve("spec.json") + ": the folder holds a different run (seed: 1 -> 9): use "
                + "another --out or the same settings");
    }

    /** A spec as the command would write it for seed 1, written by resolving the options. */
    private static Path writeSpec(Path out) throws Exception {
        TrainCommand c = new TrainCommand();
        new picocli.CommandLine(c).parseArgs("--size", "student", "--data", TinyData.folder().toString(), "--out",
                out.toString(), "--epochs", "1", "--batch-size", "4", "--seed", "1");
        c.resolve().write(out);
        return out.resolve("spec.json");
    }
}
