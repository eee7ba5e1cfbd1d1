package org.detrkd.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code detrkd bench} group: Benchmarks that print timings as JSON (subcommands registered in {@link Subcommands}). */
@Command(name = "bench", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class, description = "Benchmarks that print timings as JSON.")
final class BenchCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand");
    }
}
