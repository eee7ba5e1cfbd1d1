package org.detrkd.suites.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.detrkd.datasets.io.InputException;
import org.detrkd.reports.model.Scale;
import org.detrkd.suites.run.SlurmScript;
import org.detrkd.suites.spec.SuiteCatalog;
import org.detrkd.suites.spec.SuiteExpander;
import org.detrkd.suites.spec.SuiteSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code detrkd slurm SUITE --out DIR [--scale S] [--shards N] [--partition P] [--time HH:MM:SS] [--cpus C]
 * [--script FILE] [--workdir DIR] [--launcher FILE]}: writes a Slurm array job script ({@link SlurmScript}) whose
 * tasks run {@code ./detrkd run SUITE --shard $SLURM_ARRAY_TASK_ID/N} (or {@code --launcher}'s) into the shared
 * {@code --out}; without {@code --shards}, one task per cell. Prints the script's path and the {@code sbatch}
 * command; submits nothing.
 */
@Command(name = "slurm", mixinStandardHelpOptions = true, versionProvider = org.detrkd.cli.VersionProvider.class,
        description = "Write a Slurm array job script that runs a suite's cells (or shards) in parallel.")
public final class SlurmCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "SUITE", description = "a built-in suite or a suite file")
    String suite;

    @Option(names = "--out", required = true, paramLabel = "DIR",
            description = "the shared output folder (on a file system every node sees)")
    Path out;

    @Option(names = "--scale", paramLabel = "S", defaultValue = "mini", description = "paper, mini or smoke "
            + "(default: ${DEFAULT-VALUE})")
    String scale;

    @Option(names = "--shards", paramLabel = "N", description = "array tasks (default: one per cell)")
    Integer shards;

    @Option(names = "--partition", paramLabel = "P", description = "Slurm partition (default: the cluster's)")
    String partition;

    @Option(names = "--time", paramLabel = "HH:MM:SS", defaultValue = "24:00:00",
            description = "time limit per task (default: ${DEFAULT-VALUE})")
    String time;

    @Option(names = "--cpus", paramLabel = "C", defaultValue = "4",
            description = "CPUs per task, also the runner's threads (default: ${DEFAULT-VALUE})")
    int cpus;

    @Option(names = "--script", paramLabel = "FILE", description = "where to write it (default: OUT/slurm/"
            + "SUITE-SCALE.sbatch)")
    Path script;

    @Option(names = "--workdir", paramLabel = "DIR", defaultValue = ".",
            description = "the detrkd checkout the tasks run in (default: the current folder)")
    Path workdir;

    @Option(names = "--launcher", paramLabel = "FILE", description = "the executable the tasks run with detrkd's "
            + "arguments, e.g. a wrapper around 'java -jar detrkd.jar' (default: " + SlurmScript.DEFAULT_LAUNCHER
            + " in --workdir, which builds the project first if it is not built)")
    Path launcher;

    @Override
    public Integer call() throws Exception {
        Scale sc = SuitesShowCommand.scale(scale);
        SuiteSpec s = SuiteCatalog.resolve(suite);
        int cells = SuiteExpander.count(s, sc);
        int n = shards != null ? shards : cells;
        if (n < 1 || n > cells) {
            throw new InputException((String) null, "--shards", "must be between 1 and the " + cells + " cells, got "
                    + n, null);
        }
        Path run = null;
        if (launcher != null) {
            run = launcher.toAbsolutePath().normalize();
            if (!Files.isRegularFile(run) || !Files.isExecutable(run)) {
                throw new InputException((String) null, "--launcher", "not an executable file: " + run, null);
            }
        }
        Path o = out.toAbsolutePath().normalize();
        String suiteArg = Files.isRegularFile(Path.of(suite)) ? Path.of(suite).toAbsolutePath().normalize().toString()
                : suite;
        SlurmScript job = new SlurmScript(suiteArg, s.id(), sc.id(), o, workdir.toAbsolutePath().normalize(), n,
                cells, partition, time, cpus, run);
        Path file = script != null ? script : o.resolve("slurm").resolve(s.id() + "-" + sc.id() + ".sbatch");
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.createDirectories(o.resolve("slurm"));
        Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), ".sbatch-", ".tmp");
        Files.writeString(tmp, job.text());
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        file.toFile().setExecutable(true);
        PrintWriter w = spec.commandLine().getOut();
        w.printf(Locale.ROOT, "wrote %s: %d array tasks for %d cells of %s (%s)%n", file, n, cells, s.id(), sc.id());
        w.printf(Locale.ROOT, "submit with: sbatch %s%n", file);
        w.flush();
        return 0;
    }
}
