package org.detrkd.quickstart;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.detrkd.detr.cli.PretrainCommand;
import org.detrkd.detr.cli.TrainCommand;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * {@code quickstart --train-teacher}: trains the Conditional DETR mini teacher here instead of using the shipped one,
 * with exactly the commands a user would type: {@code detrkd pretrain --size teacher} (the backbone, as the paper's
 * ImageNet-pretrained ones), then {@code detrkd train --size teacher --minutes M --backbone-weights FILE}. Both run in
 * this JVM through their picocli commands; each step is skipped when its output exists ({@code train} itself resumes
 * from its checkpoints after an interruption).
 */
public final class TeacherTraining {
    private static final Logger LOG = LoggerFactory.getLogger(TeacherTraining.class);
    /** Marker written when the teacher's training finished. */
    static final String DONE = "teacher-done.txt";

    private TeacherTraining() {
    }

    /**
     * @param data the dataset folder
     * @param dir the folder for the backbone file and the teacher run ({@code OUT/trained-teacher})
     * @param minutes the teacher's time budget
     * @param pretrainSteps backbone pretraining steps
     * @param threads intra-op threads (recorded)
     * @param logEvery progress interval in steps
     * @return the teacher's run folder
     */
    public static Path run(Path data, Path dir, double minutes, long pretrainSteps, int threads, int logEvery)
            throws IOException {
        Files.createDirectories(dir);
        Path backbone = pretrain("teacher", data, dir, pretrainSteps, threads);
        Path run = dir.resolve("run");
        if (Files.isRegularFile(dir.resolve(DONE))) {
            LOG.info("teacher: trained before in {}", run);
            return run;
        }
        LOG.info("teacher: detrkd train --size teacher --minutes {} (resumes from {})", minutes, run);
        execute(new TrainCommand(), "--size", "teacher", "--data", data.toString(), "--minutes",
                String.format(Locale.ROOT, "%s", minutes), "--backbone-weights", backbone.toString(), "--out",
                run.toString(), "--threads", Integer.toString(threads), "--eval-every", "0", "--log-every",
                Integer.toString(logEvery), "--json");
        Files.writeString(dir.resolve(DONE), "teacher trained for " + minutes + " min\n");
        return run;
    }

    /**
     * Pretrains a mini backbone ({@code detrkd pretrain --size SIZE --steps N}) unless its file exists.
     *
     * @param size teacher or student
     * @param data the dataset folder
     * @param dir where {@code pre-SIZE.safetensors} goes
     * @param steps pretraining steps
     * @param threads intra-op threads
     * @return the weights file
     */
    public static Path pretrain(String size, Path data, Path dir, long steps, int threads) throws IOException {
        Path file = dir.resolve("pre-" + size + ".safetensors");
        if (Files.isRegularFile(file)) {
            LOG.info("{} backbone: pretrained before ({})", size, file);
            return file;
        }
        Files.createDirectories(dir);
        Path tmp = dir.resolve(".pre-" + size + ".partial.safetensors");
        LOG.info("{} backbone: detrkd pretrain --size {} --steps {}", size, size, steps);
        execute(new PretrainCommand(), "--size", size, "--data", data.toString(), "--out", tmp.toString(),
                "--steps", Long.toString(steps), "--threads", Integer.toString(threads), "--json");
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return file;
    }

    /** Runs a command's picocli form; its exceptions (bad input included) reach the caller unchanged. */
    private static void execute(Object command, String... args) {
        CommandLine cl = new CommandLine(command);
        StringWriter out = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            throw ex;
        });
        cl.setParameterExceptionHandler((ex, a) -> {
            throw new IllegalStateException("quickstart built bad arguments: " + ex.getMessage(), ex);
        });
        List<String> all = new ArrayList<>(List.of(args));
        int code = cl.execute(all.toArray(String[]::new));
        if (code != 0) {
            throw new IllegalStateException(cl.getCommandName() + " ended with exit code " + code);
        }
        LOG.info("{}", out.toString().strip().replace('\n', ' '));
    }
}
