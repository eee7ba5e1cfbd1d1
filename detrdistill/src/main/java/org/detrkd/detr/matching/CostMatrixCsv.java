package org.detrkd.detr.matching;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.regex.Pattern;
import org.detrkd.datasets.io.InputException;

/**
 * A dense cost matrix read from a CSV file of numbers: one matrix row per line, cells separated by commas, no
 * header. Cells may carry surrounding spaces or tabs; numbers are decimal ({@code 3}, {@code -0.25}, {@code 1e-7},
 * {@code .5}). Trailing blank lines are ignored; any other blank line is an error, so line {@code r + 1} always
 * holds row {@code r}. A UTF-8 byte order mark is skipped.
 *
 * <p>Bad input raises an {@link InputException} naming the file, the line and the column (1-based cell index): a
 * non-numeric or empty cell, a row with a different number of cells than the first, NaN or infinite values (also
 * numbers that overflow a double), an empty file.
 *
 * @param values row-major costs, {@code values[r * cols + c]} // [rows, cols]
 * @param rows number of rows (lines)
 * @param cols number of columns (cells per line)
 */
public record CostMatrixCsv(double[] values, int rows, int cols) {
    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?");
    private static final Pattern NON_FINITE = Pattern.compile("[+-]?(nan|inf|infinity)");

    /** Reads {@code file}; see the class comment for the format and the errors. */
    public static CostMatrixCsv read(Path file) {
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return parse(file, in);
        } catch (NoSuchFileException e) {
            throw new InputException(file, null, "no such file");
        } catch (IOException e) {
            throw new InputException(file.toString(), null, "cannot read: " + e.getMessage(), e);
        }
    }

    private static CostMatrixCsv parse(Path file, BufferedReader in) throws IOException {
        double[] values = new double[64];
        int size = 0;
        int rows = 0;
        int cols = -1;
        int blankLine = 0; // first blank line seen after the last row, 0 if none
        int lineNumber = 0;
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            lineNumber++;
            if (lineNumber == 1 && line.startsWith("\uFEFF")) {
                line = line.substring(1);
            }
            if (line.isBlank()) {
                blankLine = blankLine == 0 ? lineNumber : blankLine;
                continue;
            }
            if (blankLine != 0) {
                throw new InputException(file, "line " + blankLine, "blank line: rows must be on consecutive lines");
            }
            String[] cells = line.split(",", -1);
            if (cols < 0) {
                cols = cells.length;
            } else if (cells.length != cols) {
                throw new InputException(file, "line " + lineNumber,
                        "row has " + cells.length + " columns, expected " + cols + " (as on line 1)");
            }
            if (size + cols > values.length) {
                values = Arrays.copyOf(values, Math.max(values.length * 2, size + cols));
            }
            for (int c = 0; c < cols; c++) {
                values[size++] = parseCell(file, lineNumber, c + 1, cells[c]);
            }
            rows++;
        }
        if (rows == 0) {
            throw new InputException(file, null, "empty file: no cost rows");
        }
        return new CostMatrixCsv(Arrays.copyOf(values, size), rows, cols);
    }

    private static double parseCell(Path file, int line, int column, String cell) {
        String text = cell.strip();
        String where = "line " + line + ", column " + column;
        if (text.isEmpty()) {
            throw new InputException(file, where, "empty cell");
        }
        if (NON_FINITE.matcher(text.toLowerCase(Locale.ROOT)).matches()) {
            throw new InputException(file, where, "cost is not finite: " + text);
        }
        if (!NUMBER.matcher(text).matches()) {
            throw new InputException(file, where, "not a number: \"" + text + "\"");
        }
        double value = Double.parseDouble(text);
        if (Double.isInfinite(value)) {
            throw new InputException(file, where, "cost is not finite: " + text + " overflows a double");
        }
        return value;
    }

    /** The location of matrix entry {@code [row, col]} in the file, as used in error messages. */
    public static String location(int row, int col) {
        return "line " + (row + 1) + ", column " + (col + 1);
    }
}
