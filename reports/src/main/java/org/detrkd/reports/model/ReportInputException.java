package org.detrkd.reports.model;

import java.nio.file.Path;

/**
 * Bad input to the reports module: a malformed result file, an unknown key, a missing folder.
 *
 * <p>The message is always one line, {@code FILE: LOCATION: PROBLEM} (location may be empty), like the datasets
 * module's {@code InputException}; the reports module cannot depend on that module, so the command line maps both
 * types to exit code 2.
 */
public class ReportInputException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String file;
    private final String location;
    private final String problem;

    /**
     * @param file the file or folder the problem is in; {@code null} when the input is not a file
     * @param location a JSON pointer such as {@code /metrics/AP} (with line and column when known), or an option
     *     name; {@code null} or empty for the whole file
     * @param problem what is wrong, phrased for the user
     */
    public ReportInputException(Path file, String location, String problem) {
        this(file == null ? null : file.toString(), location, problem, null);
    }

    /** Same as {@link #ReportInputException(Path, String, String)} with a cause kept for the log. */
    public ReportInputException(String file, String location, String problem, Throwable cause) {
        super(format(file, location, problem), cause);
        this.file = file;
        this.location = location == null ? "" : location;
        this.problem = problem;
    }

    private static String format(String file, String location, String problem) {
        StringBuilder sb = new StringBuilder();
        if (file != null && !file.isEmpty()) {
            sb.append(file).append(": ");
        }
        if (location != null && !location.isEmpty()) {
            sb.append(location).append(": ");
        }
        sb.append(problem.replace('\n', ' ').replace('\r', ' '));
        return sb.toString();
    }

    /** The file or folder, or {@code null}. */
    public String file() {
        return file;
    }

    /** Where in the file, possibly empty. */
    public String location() {
        return location;
    }

    /** What is wrong. */
    public String problem() {
        return problem;
    }
}
