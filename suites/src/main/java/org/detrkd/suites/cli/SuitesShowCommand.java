package org.detrkd.suites.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.detrkd.datasets.io.InputException;
import org.detrkd.reports.model.Scale;
import org.detrkd.suites.spec.Cell;
import org.detrkd.suites.spec.StepTimes;
import org.detrkd.suites.spec.SuiteCatalog;
import org.detrkd.suites.spec.SuiteExpander;
import org.detrkd.suites.spec.SuiteSpec;
import org.detrkd.suites.spec.SuiteValidator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code detrkd suites show NAME|FILE [--scale S] [--json] [--check-paths]}: the expanded cells of one suite with the
 * paper's numbers beside them; {@code --json} prints every resolved cell (what a runner executes);
 * {@code --check-paths} also checks that the scale's dataset folder exists (COCO at paper scale).
 */
@Command(name = "show", mixinStandardHelpOptions = true, versionProvider = org.detrkd.cli.VersionProvider.class,
        description = "Print a suite's expanded cells with the paper's numbers (NAME of a built-in suite or a FILE).")
public final class SuitesShowCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "NAME|FILE", description = "a built-in suite (table1..table7, clockdistill) or a file")
    String suite;

    @Option(names = "--scale", paramLabel = "S", defaultValue = "mini", description = "paper, mini or smoke "
            + "(default: ${DEFAULT-VALUE})")
    String scale;

    @Option(names = "--json", description = "print the resolved cells as JSON")
    boolean json;

    @Option(names = "--check-paths", description = "also check that the dataset folder exists")
    boolean checkPaths;

    @Override
    public Integer call() throws Exception {
        Scale sc = scale(scale);
        SuiteSpec s = SuiteCatalog.resolve(suite);
        if (checkPaths) {
            SuiteValidator.checkPaths(s, sc, Path.of(""));
        }
        List<Cell> cells = SuiteExpander.expand(s, sc);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("suite", s.id());
            doc.put("scale", sc.id());
            doc.put("cells", cells);
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(doc));
        } else {
            out.printf(Locale.ROOT, "%s (%s): %s%n", s.id(), sc.id(), s.title());
            out.printf(Locale.ROOT, "%-40s %-12s %-14s %-42s %s%n", "run", "method", "preset", "paper cell",
                    "paper AP/APs/APm/APl");
            for (Cell c : cells) {
                out.printf(Locale.ROOT, "%-40s %-12s %-14s %-42s %s%n", c.runId(), c.method(),
                        c.preset() == null ? "-" : c.preset(), ref(c), values(c.paperValue()));
            }
            out.printf(Locale.ROOT, "%d cells, estimated ~%s on this machine (%s)%n", cells.size(),
                    StepTimes.human(StepTimes.suiteSeconds(cells)), "an estimate, not a measurement");
        }
        out.flush();
        return 0;
    }

    private static String ref(Cell c) {
        StringBuilder sb = new StringBuilder(c.paper().table() == null ? "-" : c.paper().table());
        if (c.paper().group() != null) {
            sb.append(" [").append(c.paper().group()).append(']');
        }
        sb.append(' ').append(c.paper().row());
        if (c.paper().column() != null) {
            sb.append(" @ ").append(c.paper().column());
        }
        return sb.toString();
    }

    private static String values(Map<String, Double> v) {
        if (v.isEmpty()) {
            return "-";
        }
        return String.join(" / ", v.values().stream().map(d -> String.format(Locale.ROOT, "%.1f", d)).toList());
    }

    /** Parses a scale name, failing with the known ones. */
    static Scale scale(String name) {
        for (Scale s : Scale.values()) {
            if (s.id().equals(name)) {
                return s;
            }
        }
        throw new InputException((String) null, "--scale", "unknown scale '" + name + "'; known: paper, mini, smoke",
                null);
    }
}
