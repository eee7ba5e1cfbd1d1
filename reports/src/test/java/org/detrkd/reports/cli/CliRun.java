package org.detrkd.reports.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.detrkd.reports.model.ReportInputException;
import picocli.CommandLine;

/**
 * Runs one reports command the way the {@code detrkd} top level does (bad input, a {@link ReportInputException},
 * becomes one line on stderr and exit 2) and captures its output.
 */
record CliRun(int exit, String out, String err) {
    static CliRun run(Object command, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(command);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        cli.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            for (Throwable t = ex; t != null; t = t.getCause()) {
                if (t instanceof ReportInputException rie) {
                    cmd.getErr().println("detrkd: " + rie.getMessage());
                    return 2;
                }
            }
            throw ex;
        });
        int exit = cli.execute(args);
        return new CliRun(exit, out.toString(), err.toString());
    }
}
