package org.detrkd.datasets.io;

import java.nio.file.Path;

/**
 * Bad user input: a malformed or inconsistent file, a missing path, an impossible setting.
 *
 * <p>The message is always one line, {@code FILE: LOCATION: PROBLEM} (location may be empty), so that
 * the command line can print it as is and exit with code 2. Every reader and validator in detrkd
 * throws this type (or a subclass) for problems a user can fix, and never for bugs.
 */
public class InputException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String file;
    private final String location;
    private final String problem;

    /**
     * @param file the file (or folder) the problem is in; {@code null} when the input is not a file
     * @param location where in the file: a JSON pointer such as {@code /annotations/12/bbox}, a
     *     {@code line N} or {@code line N, column M}; {@code null} or empty for the whole file
     * @param problem what is wrong, phrased for the user
     */
    public InputException(Path file, String location, String problem) {
        this(file == null ? null : file.toString(), location, problem, null);
    }

    public InputException(String file, String location, String problem, Throwable cause) {
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
        sb.append(problem.replace('\n', ' '));
        return sb.toString();
    }

    /** The file or folder, or {@code null}. */
    public String file() {
        return file;
    }

    /** Where in the file (JSON pointer or line), possibly empty. */
    public String location() {
        return location;
    }

    /** What is wrong. */
    public String problem() {
        return problem;
    }
}
