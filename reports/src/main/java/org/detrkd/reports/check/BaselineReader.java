package org.detrkd.reports.check;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.detrkd.reports.model.ReportInputException;
import org.detrkd.reports.model.ResultLoader;
import org.detrkd.reports.render.CsvFormat;

/**
 * Reads the AP of every cell of a baseline: a folder of {@code result.json} files, one {@code result.json}, or the
 * {@code results.csv} a report wrote (small enough to keep in the repository as a reference).
 */
public final class BaselineReader {
    private BaselineReader() {
    }

    /** Whether {@code path} is read as a report's {@code results.csv} (a regular file named {@code *.csv}). */
    public static boolean isCsv(Path path) {
        return Files.isRegularFile(path) && path.getFileName().toString().endsWith(".csv");
    }

    /** Reads a folder, a result file or a {@code .csv} file. */
    public static List<CellAp> read(Path path) {
        if (isCsv(path)) {
            return readCsv(path);
        }
        return ResultLoader.load(List.of(path)).stream().map(CellAp::of).toList();
    }

    private static List<CellAp> readCsv(Path file) {
        CSVFormat format = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).build();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8);
                CSVParser parser = CSVParser.parse(in, format)) {
            Map<String, Integer> header = parser.getHeaderMap();
            for (String c : List.of("suite", "scale", "cell_id", "seed", "status", "metric", "value")) {
                if (!header.containsKey(c)) {
                    throw new ReportInputException(file, "line 1", "missing column '" + c + "' (expected the "
                            + "results.csv of 'detrkd report': " + String.join(",", CsvFormat.RESULT_COLUMNS) + ")");
                }
            }
            List<CellAp> out = new ArrayList<>();
            for (CSVRecord r : parser) {
                cell(file, r).ifPresent(out::add);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new ReportInputException(file.toString(), null, "malformed CSV: " + e.getMessage(), e);
        }
    }

    private static Optional<CellAp> cell(Path file, CSVRecord r) {
        String where = "line " + (r.getRecordNumber() + 1);
        if (!r.isConsistent()) {
            throw new ReportInputException(file, where, "expected " + r.getParser().getHeaderNames().size()
                    + " fields, got " + r.size());
        }
        String status = r.get("status");
        boolean failed = status.equals("failed");
        if (!failed && !r.get("metric").equals("AP")) {
            return Optional.empty();
        }
        long seed;
        Double ap = null;
        try {
            seed = Long.parseLong(r.get("seed"));
            if (!failed) {
                ap = Double.parseDouble(r.get("value"));
            }
        } catch (NumberFormatException e) {
            throw new ReportInputException(file, where, "expected a number, got '" + e.getMessage() + "'");
        }
        return Optional.of(new CellAp(r.get("suite"), r.get("scale"), r.get("cell_id"), seed, ap,
                failed ? "failed" : null));
    }
}
