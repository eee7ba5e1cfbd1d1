package org.detrkd.reports.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.detrkd.reports.aggregate.Aggregator;
import org.detrkd.reports.aggregate.DirectionRule;
import org.detrkd.reports.check.BaselineReader;
import org.detrkd.reports.check.CellAp;
import org.detrkd.reports.check.DirectionNotes;
import org.detrkd.reports.check.RegressionCheck;
import org.detrkd.reports.model.LoadedResult;
import org.detrkd.reports.model.PaperTables;
import org.detrkd.reports.model.ReportInputException;
import org.detrkd.reports.model.ResultLoader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code detrkd check RESULTS_DIR --baseline DIR_OR_FILE [--tolerance AP] [--noise-floor AP]}: the regression check.
 * Compares each (suite, scale, cell, seed) AP with the baseline's; prints one line per offending cell and per missing
 * cell; then, for information only, one line per clear disagreement in direction with the paper and a count of the
 * verdicts ({@link DirectionNotes}, with {@code --noise-floor}); then a summary line. Exit 1 when any cell dropped
 * by more than the tolerance (AP points, 0-100) or failed where the baseline finished; 0 otherwise (a disagreement
 * with the paper does not gate); bad input is a {@link ReportInputException} (exit 2).
 */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Regression check: fail (exit 1) when a cell's AP drops below the baseline's by more than "
                + "the tolerance.")
public final class CheckCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "RESULTS_DIR", description = "new results (folder or result.json)")
    Path results;

    @Option(names = "--baseline", required = true, paramLabel = "DIR_OR_FILE",
            description = "reference results: a folder, a result.json, or a results.csv written by 'report'")
    Path baseline;

    @Option(names = "--tolerance", paramLabel = "AP", defaultValue = "0.5",
            description = "allowed AP drop in points on the 0-100 scale (default: ${DEFAULT-VALUE})")
    double tolerance;

    @Mixin
    NoiseFloorOption noise;

    @Override
    public Integer call() {
        if (!(tolerance >= 0) || Double.isInfinite(tolerance)) {
            throw new ReportInputException((String) null, "--tolerance", "must be a finite number >= 0, got "
                    + tolerance, null);
        }
        DirectionRule rule = noise.rule();
        List<LoadedResult> loaded = BaselineReader.isCsv(results) ? null : ResultLoader.load(List.of(results));
        List<CellAp> now = loaded == null ? BaselineReader.read(results) : loaded.stream().map(CellAp::of).toList();
        List<CellAp> ref = BaselineReader.read(baseline);
        if (ref.isEmpty()) {
            throw new ReportInputException(baseline.toString(), null, "no cells in the baseline", null);
        }
        RegressionCheck.Outcome o = RegressionCheck.compare(now, ref, tolerance);
        PrintWriter w = spec.commandLine().getOut();
        o.regressions().forEach(w::println);
        o.missing().forEach(w::println);
        if (loaded == null) {
            w.println("direction vs the paper: not computed (" + results + " is a CSV, not result.json files)");
        } else {
            DirectionNotes.lines(new Aggregator(PaperTables.get(), rule).aggregate(loaded), rule)
                    .forEach(w::println);
        }
        w.println(String.format(Locale.ROOT,
                "check: %d cell(s) compared, %d regression(s), %d missing, %d new; tolerance %.2f AP points: %s",
                o.compared(), o.regressions().size(), o.missing().size(), o.added(), tolerance,
                o.failed() ? "FAIL" : "OK"));
        w.flush();
        return o.failed() ? 1 : 0;
    }
}
