package org.detrkd.suites.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.detrkd.reports.model.Scale;
import org.detrkd.suites.spec.Cell;
import org.detrkd.suites.spec.StepTimes;
import org.detrkd.suites.spec.SuiteCatalog;
import org.detrkd.suites.spec.SuiteExpander;
import org.detrkd.suites.spec.SuiteSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code detrkd suites [--scale S] [--json]}: lists the built-in suites with their cell count per scale and an
 * estimated wall time on this machine ({@link StepTimes}: estimates, not measurements). {@code detrkd suites show
 * NAME|FILE} prints one suite's expanded cells ({@link SuitesShowCommand}).
 */
@Command(name = "suites", mixinStandardHelpOptions = true, versionProvider = org.detrkd.cli.VersionProvider.class, subcommands = SuitesShowCommand.class,
        description = "List the built-in suites (one per paper table) with cell counts and estimated times.")
public final class SuitesCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--scale", paramLabel = "S", description = "only this scale: paper, mini or smoke")
    String scale;

    @Option(names = "--json", description = "print JSON instead of a table")
    boolean json;

    @Override
    public Integer call() throws Exception {
        List<Scale> scales = scale == null ? List.of(Scale.values()) : List.of(SuitesShowCommand.scale(scale));
        List<Map<String, Object>> rows = new ArrayList<>();
        for (SuiteSpec s : SuiteCatalog.builtIn()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("suite", s.id());
            row.put("title", s.title());
            row.put("paper_table", s.paperTable());
            Map<String, Object> per = new LinkedHashMap<>();
            for (Scale sc : scales) {
                List<Cell> cells = SuiteExpander.expand(s, sc);
                Map<String, Object> v = new LinkedHashMap<>();
                v.put("cells", cells.size());
                v.put("estimated_seconds", Math.round(StepTimes.suiteSeconds(cells)));
                per.put(sc.id(), v);
            }
            row.put("scales", per);
            rows.add(row);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("suites", rows);
            doc.put("estimate_note", note());
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(doc));
        } else {
            out.print(table(rows, scales));
        }
        out.flush();
        return 0;
    }

    @SuppressWarnings("unchecked")
    private static String table(List<Map<String, Object>> rows, List<Scale> scales) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-13s", "suite"));
        for (Scale sc : scales) {
            sb.append(String.format(Locale.ROOT, "  %-17s", sc.id() + " cells/time"));
        }
        sb.append("  title\n");
        for (Map<String, Object> row : rows) {
            sb.append(String.format(Locale.ROOT, "%-13s", row.get("suite")));
            Map<String, Object> per = (Map<String, Object>) row.get("scales");
            for (Scale sc : scales) {
                Map<String, Object> v = (Map<String, Object>) per.get(sc.id());
                sb.append(String.format(Locale.ROOT, "  %4d  %-11s", (Integer) v.get("cells"),
                        "~" + StepTimes.human(((Long) v.get("estimated_seconds")).doubleValue())));
            }
            sb.append("  ").append(row.get("title")).append('\n');
        }
        sb.append(note()).append('\n');
        return sb.toString();
    }

    static String note() {
        return String.format(Locale.ROOT, "times are ESTIMATES (measured one-thread step times per detector and "
                + "backbone x epochs x steps, each teacher to train once, given teachers free) for %d cores running "
                + "one cell each (detrkd run --jobs %d --threads 1), not measurements; smoke cells are not results",
                StepTimes.cores(), StepTimes.cores());
    }
}
