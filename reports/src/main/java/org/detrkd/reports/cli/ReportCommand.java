package org.detrkd.reports.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.detrkd.reports.aggregate.DirectionRule;
import org.detrkd.reports.model.LoadedResult;
import org.detrkd.reports.model.ReportInputException;
import org.detrkd.reports.model.ResultLoader;
import org.detrkd.reports.render.CsvFormat;
import org.detrkd.reports.render.HtmlSite;
import org.detrkd.reports.render.MarkdownFormat;
import org.detrkd.reports.render.ReportModel;
import org.detrkd.reports.render.ResultFormat;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code detrkd report RESULTS_DIR... --out DIR [--noise-floor AP]}: reads every {@code result.json} under the given
 * folders (shards merge), and writes the HTML site ({@code index.html}, suite, cell and leaderboard pages),
 * {@code results.csv}, {@code summary.csv} and {@code tables.md} into {@code DIR}. Prints the path of
 * {@code index.html}. {@code --noise-floor} is the single-seed noise floor of the DISAGREE mark
 * ({@link org.detrkd.reports.aggregate.DirectionRule}).
 */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Paper-style tables (HTML site, CSV, Markdown) from result.json files.")
public final class ReportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "RESULTS_DIR", description = "folders searched recursively for result.json")
    List<Path> results;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "output folder (created)")
    Path out;

    @Mixin
    NoiseFloorOption noise;

    @Override
    public Integer call() {
        DirectionRule rule = noise.rule();
        List<LoadedResult> loaded = ResultLoader.load(results);
        if (loaded.isEmpty()) {
            throw new ReportInputException(results.get(0).toString(), null,
                    "no result.json found under " + results, null);
        }
        ReportModel model = ReportModel.of(loaded, rule);
        Path index = null;
        for (ResultFormat f : List.of(new HtmlSite(), new CsvFormat(), new MarkdownFormat())) {
            List<Path> written = f.write(model, out);
            if (f instanceof HtmlSite) {
                index = written.get(0);
            }
        }
        PrintWriter w = spec.commandLine().getOut();
        w.println(index.toAbsolutePath().normalize());
        w.flush();
        return 0;
    }
}
