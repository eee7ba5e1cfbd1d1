package org.detrkd.reports.render;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.detrkd.reports.aggregate.AggregateRow;
import org.detrkd.reports.aggregate.Change;
import org.detrkd.reports.aggregate.Stat;
import org.detrkd.reports.aggregate.SuiteSummary;
import org.detrkd.reports.aggregate.Verdict;
import org.detrkd.reports.model.CocoMetrics;
import org.detrkd.reports.model.LoadedResult;
import org.detrkd.reports.model.ResultRecord;

/**
 * CSV in long form with Commons CSV.
 *
 * <p>{@code results.csv}: one row per cell and metric (12 per finished cell; one row with empty metric for a failed
 * cell), raw values on the 0-1 scale, the cell's parameters as columns. {@code summary.csv}: one row per aggregated
 * row and metric, in AP points (0-100): mean, std, n, our delta with its standard error and noise test
 * ({@code paired-se}, {@code unpaired-se}, {@code floor}), the paper's number and delta, and the direction verdict
 * ({@code agree}, {@code disagree}, {@code within-noise}, {@code no-claim}; empty where our change or the paper's is
 * missing) of {@link org.detrkd.reports.aggregate.DirectionRule}.
 */
public final class CsvFormat implements ResultFormat {
    /** Columns of {@code results.csv}. */
    public static final List<String> RESULT_COLUMNS = List.of("suite", "scale", "not_a_result", "cell_id", "table",
            "group", "row", "column", "method", "preset", "detector", "epochs", "seed", "status", "options",
            "metric", "value");
    /** Columns of {@code summary.csv}. */
    public static final List<String> SUMMARY_COLUMNS = List.of("suite", "scale", "not_a_result", "table", "group",
            "row", "column", "preset", "method", "detector", "epochs", "seeds", "failed", "metric", "mean", "std",
            "delta", "delta_se", "noise_test", "paper", "paper_delta", "verdict");

    static final CSVFormat FORMAT = CSVFormat.DEFAULT.builder().setRecordSeparator("\n").build();

    @Override
    public String name() {
        return "csv";
    }

    @Override
    public List<Path> write(ReportModel model, Path outDir) {
        Path results = outDir.resolve("results.csv");
        Path summary = outDir.resolve("summary.csv");
        try {
            Files.createDirectories(outDir);
            try (Writer w = Files.newBufferedWriter(results, StandardCharsets.UTF_8);
                    CSVPrinter p = new CSVPrinter(w, FORMAT)) {
                p.printRecord(RESULT_COLUMNS);
                for (LoadedResult r : model.results()) {
                    printCell(p, r.record());
                }
            }
            try (Writer w = Files.newBufferedWriter(summary, StandardCharsets.UTF_8);
                    CSVPrinter p = new CSVPrinter(w, FORMAT)) {
                p.printRecord(SUMMARY_COLUMNS);
                for (SuiteSummary s : model.suites()) {
                    for (AggregateRow row : s.rows()) {
                        printRow(p, s, row);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write CSV under " + outDir, e);
        }
        return List.of(results, summary);
    }

    private static void printCell(CSVPrinter p, ResultRecord r) throws IOException {
        List<Object> head = List.of(r.suite(), r.scale().id(), !r.scale().isResult(), r.cellId(),
                nz(r.paper().table()), nz(r.paper().group()), r.paper().row(), nz(r.paper().column()), r.method(),
                nz(r.preset()), r.detector(), r.epochs(), r.seed(), r.status().id(), Fmt.keyValues(r.options()));
        if (!r.finished()) {
            List<Object> row = new ArrayList<>(head);
            row.add("");
            row.add("");
            p.printRecord(row);
            return;
        }
        double[] values = r.metrics().values();
        for (int i = 0; i < values.length; i++) {
            List<Object> row = new ArrayList<>(head);
            row.add(CocoMetrics.NAMES.get(i));
            row.add(Double.toString(values[i]));
            p.printRecord(row);
        }
    }

    private static void printRow(CSVPrinter p, SuiteSummary s, AggregateRow row) throws IOException {
        for (String m : CocoMetrics.NAMES) {
            Stat st = row.stats().get(m);
            Change c = row.changes().get(m);
            Verdict v = row.verdicts().get(m);
            p.printRecord(s.suite(), s.scale().id(), !s.isResult(), nz(row.table()), row.key().group(),
                    row.key().row(), row.key().column(), row.key().preset(), row.method(), row.detector(),
                    row.epochs(), row.cells().size(), row.failed(), m, num(st.mean()), num(st.std()),
                    c == null ? "" : num(c.delta()), c == null ? "" : num(c.se()), c == null ? "" : c.test().id(),
                    num(row.paper().get(m)), num(row.paperDelta().get(m)), v == null ? "" : v.id());
        }
    }

    private static String num(Double v) {
        return v == null || v.isNaN() ? "" : Fmt.num(v);
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
