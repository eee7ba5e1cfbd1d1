package org.detrkd.cli;

import picocli.CommandLine;

/** The explicit list of the command line's subcommands, each defined in the module that owns the job. */
final class Subcommands {
    private Subcommands() {}

    static void register(CommandLine cli) {
        // registered by the modules' commands as they land
    }
}
