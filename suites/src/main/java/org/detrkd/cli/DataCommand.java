package org.detrkd.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code detrkd data} group: Make and check COCO-format datasets (subcommands registered in {@link Subcommands}). */
@Command(name = "data", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class, description = "Make and check COCO-format datasets.")
final class DataCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand");
    }
}
