package org.detrkd.cli;

import java.io.PrintWriter;
import org.detrkd.datasets.io.InputException;
import org.detrkd.reports.model.ReportInputException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code detrkd} command line: one picocli command per job, each with its own {@code --help}.
 *
 * <p>Exit codes: 0 success, 1 a job ran and failed (for example a regression check), 2 bad input (unknown option,
 * malformed or missing file, impossible setting) reported as one line naming the file, the place and the problem,
 * 3 an internal error (a bug: the stack trace goes to the log), 4 a child JVM stopped because the process that started
 * it died ({@link ParentWatchdog}).
 */
@Command(
        name = "detrkd",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Reproduce and benchmark knowledge distillation for DETR-family detectors.",
        subcommands = {CommandLine.HelpCommand.class})
public final class Detrkd implements Runnable {
    /** Exit code for bad input. */
    public static final int EXIT_BAD_INPUT = 2;
    /** Exit code for an internal error. */
    public static final int EXIT_INTERNAL = 3;

    private static final Logger LOG = LoggerFactory.getLogger(Detrkd.class);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Builds the command tree with every subcommand registered; one explicit list, no scanning. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Detrkd());
        Subcommands.register(cli);
        cli.setExecutionExceptionHandler(Detrkd::handleExecutionException);
        cli.setParameterExceptionHandler(Detrkd::handleParameterException);
        return cli;
    }

    /** Runs the command line and returns its exit code (used by tests; {@link #main} exits with it). */
    public static int execute(String... args) {
        return commandLine().execute(args);
    }

    /**
     * The entry point. A child JVM started with {@code -D}{@value ParentWatchdog#PROPERTY} (the quickstart's students)
     * first starts its {@link ParentWatchdog}, so it ends soon after its parent dies.
     */
    public static void main(String[] args) {
        try {
            ParentWatchdog.startIfRequested();
        } catch (IllegalArgumentException e) {
            System.err.println("detrkd: " + e.getMessage());
            System.exit(EXIT_BAD_INPUT);
        }
        System.exit(execute(args));
    }

    private static int handleExecutionException(
            Exception ex, CommandLine cmd, CommandLine.ParseResult parseResult) {
        PrintWriter err = cmd.getErr();
        RuntimeException input = findInputException(ex);
        if (input != null) {
            err.println("detrkd: " + input.getMessage());
            err.flush();
            return EXIT_BAD_INPUT;
        }
        LOG.error("internal error in '{}'", cmd.getCommandName(), ex);
        err.println("detrkd: internal error: " + ex + " (stack trace above; please report it)");
        err.flush();
        return EXIT_INTERNAL;
    }

    /** The first bad-input exception in the cause chain: the datasets' or the reports' kind (same one-line form). */
    private static RuntimeException findInputException(Throwable ex) {
        for (Throwable t = ex; t != null; t = t.getCause()) {
            if (t instanceof InputException ie) {
                return ie;
            }
            if (t instanceof ReportInputException re) {
                return re;
            }
        }
        return null;
    }

    private static int handleParameterException(CommandLine.ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        PrintWriter err = cmd.getErr();
        err.println("detrkd: " + ex.getMessage() + " (see '" + cmd.getCommandSpec().qualifiedName() + " --help')");
        err.flush();
        return EXIT_BAD_INPUT;
    }
}
