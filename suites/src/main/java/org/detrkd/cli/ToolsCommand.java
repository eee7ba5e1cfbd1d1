package org.detrkd.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code detrkd tools} group: Small tools around the building blocks (subcommands registered in {@link Subcommands}). */
@Command(name = "tools", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class, description = "Small tools around the building blocks.")
final class ToolsCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand");
    }
}
