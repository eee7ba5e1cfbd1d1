package org.detrkd.suites.run;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.detrkd.cli.Detrkd;
import org.detrkd.suites.cli.RunCommand;
import org.detrkd.suites.cli.SlurmCommand;
import picocli.CommandLine;

/** Small suite files and a command line with {@code run} and {@code slurm} registered, for the runner's tests. */
final class RunFixtures {
    private RunFixtures() {
    }

    /**
     * A tiny Conditional DETR suite: smoke scale of 8 training and 4 validation 64-px images, batch 2 (4 steps per
     * epoch), 2 epochs; 1/1-stage models with 10 queries; a teacher row, a plain student and DETRDistill.
     *
     * @param id the suite id
     * @param lr the learning rate of the schedule
     */
    static String suite(String id, String lr) {
        return suite(id, lr, 2);
    }

    /** As {@link #suite(String, String)} with {@code epochs} smoke epochs. */
    static String suite(String id, String lr, int epochs) {
        return String.join("\n",
                "schema: 1",
                "suite: " + id,
                "paper_table: table5",
                "scales:",
                "  paper:",
                "    dataset: {kind: coco, path: no/such/coco}",
                "    backbones: {teacher: resnet101, student: resnet50}",
                "    image: {short_side: 800, max_side: 1333}",
                "    batch: 16",
                "    seeds: [0]",
                "  mini:",
                "    dataset: {kind: shapes, path: data/mini, train_images: 40, val_images: 8, image_size: 64}",
                "    backbones: {teacher: mini-teacher, student: mini-student}",
                "    image: {short_side: 64, max_side: 64}",
                "    batch: 4",
                "    seeds: [0]",
                "    epochs: {12: 2}",
                "  smoke:",
                "    dataset: {kind: shapes, path: data/smoke, train_images: 8, val_images: 4, image_size: 64, seed: 3}",
                "    backbones: {teacher: mini-teacher, student: mini-student}",
                "    image: {short_side: 64, max_side: 64}",
                "    batch: 2",
                "    seeds: [0]",
                "    epochs: {12: " + epochs + "}",
                "setups:",
                "  - id: cond",
                "    detector: conditional-detr",
                "    teacher: {encoder_stages: 1, decoder_stages: 1, queries: 10}",
                "    student: {encoder_stages: 1, decoder_stages: 1, queries: 10}",
                "    schedule: {epochs: 12, lr: " + lr + ", lr_drops: [0.667]}",
                "methods:",
                "  - {row: teacher, method: teacher, paper_value: {AP: 40.0}}",
                "  - {row: none, method: none}",
                "  - {id: ld, row: LD, method: detrdistill, preset: paper}",
                "");
    }

    static Path write(Path dir, String id, String lr) throws IOException {
        return write(dir, id, lr, 2);
    }

    static Path write(Path dir, String id, String lr, int epochs) throws IOException {
        Files.createDirectories(dir);
        Path f = dir.resolve(id + ".yaml");
        Files.writeString(f, suite(id, lr, epochs));
        return f;
    }

    /** Runs the CLI with run and slurm registered; returns exit code and output. */
    static Outcome cli(String... args) {
        CommandLine cli = Detrkd.commandLine();
        if (!cli.getSubcommands().containsKey("run")) {
            cli.addSubcommand(new RunCommand());
        }
        if (!cli.getSubcommands().containsKey("slurm")) {
            cli.addSubcommand(new SlurmCommand());
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Outcome(code, out.toString(), err.toString());
    }

    record Outcome(int code, String out, String err) {
    }
}
