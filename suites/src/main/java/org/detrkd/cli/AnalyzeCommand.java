package org.detrkd.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code detrkd analyze} group: analyses of trained models (subcommands registered in {@link Subcommands}). */
@Command(name = "analyze", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class, description = "Analyses of trained models.")
final class AnalyzeCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand");
    }
}
