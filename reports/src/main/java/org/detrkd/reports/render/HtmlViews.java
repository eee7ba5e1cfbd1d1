package org.detrkd.reports.render;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.detrkd.reports.aggregate.AggregateRow;
import org.detrkd.reports.aggregate.DirectionRule;
import org.detrkd.reports.aggregate.SuiteSummary;
import org.detrkd.reports.model.LoadedResult;
import org.detrkd.reports.model.ResultRecord;

/**
 * Builds the Freemarker view models of the HTML site as plain maps of pre-formatted strings (numbers are formatted
 * here in Locale.ROOT, so templates never format numbers), and the site's relative paths.
 */
final class HtmlViews {
    private HtmlViews() {
    }

    /** Path of a suite page, relative to the site root. */
    static String suitePath(SuiteSummary s) {
        return suitePath(s.suite(), s.scale());
    }

    /** Path of the page of {@code suite} at {@code scale}, relative to the site root. */
    static String suitePath(String suite, org.detrkd.reports.model.Scale scale) {
        return "suites/" + Fmt.slug(suite) + "-" + scale.id() + ".html";
    }

    /** Folder of a suite's cell pages, relative to the site root. */
    static String cellDir(ResultRecord r) {
        return "cells/" + Fmt.slug(r.suite()) + "-" + r.scale().id();
    }

    /** Path of a cell page, relative to the site root. */
    static String cellPath(ResultRecord r) {
        return cellDir(r) + "/" + cellBase(r) + ".html";
    }

    /** File name stem of a cell's page and copied images. */
    static String cellBase(ResultRecord r) {
        return Fmt.slug(r.cellId()) + "-seed" + r.seed();
    }

    /** One suite for the index. */
    static Map<String, Object> suiteLink(SuiteSummary s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("suite", s.suite());
        m.put("scale", s.scale().id());
        m.put("result", s.isResult());
        m.put("title", s.title());
        m.put("href", suitePath(s));
        m.put("presets", s.presets().isEmpty() ? "none" : String.join(", ", s.presets()));
        m.put("cells", s.rows().stream().mapToInt(r -> r.cells().size()).sum());
        m.put("failed", s.rows().stream().mapToInt(AggregateRow::failed).sum());
        m.put("disagree", s.rows().stream().filter(AggregateRow::anyDisagree).count());
        return m;
    }

    /** One suite page: groups of rows with our numbers and the paper's, and the direction rule's legend. */
    static Map<String, Object> suite(SuiteSummary s, DirectionRule rule) {
        Map<String, Object> m = suiteLink(s);
        m.put("table", s.table() == null ? "none" : s.table());
        m.put("noiseFloor", Fmt.num(rule.noiseFloor()));
        m.put("noClaimBelow", Fmt.num(DirectionRule.NO_CLAIM_BELOW));
        m.put("noiseMark", MarkdownFormat.NOISE);
        List<Map<String, Object>> groups = new ArrayList<>();
        for (String g : s.groups()) {
            TableLayout layout = TableLayout.of(s, g, rule);
            Map<String, Object> gm = new LinkedHashMap<>();
            gm.put("name", g);
            gm.put("headers", layout.headers());
            gm.put("rows", layout.lines().stream().map(HtmlViews::line).toList());
            groups.add(gm);
        }
        m.put("groups", groups);
        return m;
    }

    private static Map<String, Object> line(TableLayout.Line line) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("label", line.label());
        m.put("method", line.method());
        m.put("preset", line.preset());
        m.put("seeds", line.seeds());
        m.put("baseline", line.baseline());
        m.put("disagree", line.disagree());
        List<Map<String, Object>> ours = new ArrayList<>();
        for (TableLayout.Value v : line.ours()) {
            Map<String, Object> cell = new LinkedHashMap<>();
            cell.put("text", v.text());
            cell.put("disagree", v.disagree());
            cell.put("noise", v.noise());
            cell.put("note", v.note());
            ours.add(cell);
        }
        m.put("ours", ours);
        m.put("paper", line.paper());
        List<Map<String, Object>> cells = new ArrayList<>();
        for (LoadedResult c : line.cells()) {
            Map<String, Object> cm = new LinkedHashMap<>();
            cm.put("href", "../" + cellPath(c.record()));
            cm.put("label", "seed " + c.record().seed());
            cm.put("failed", !c.record().finished());
            cells.add(cm);
        }
        m.put("cells", cells);
        return m;
    }

    /**
     * The leaderboard: one row per (scale, method, preset, options), so ablation variants stay apart; one column per
     * detector holding the mean AP over that method's table rows (mean delta vs the plain student).
     */
    static Map<String, Object> leaderboard(List<SuiteSummary> suites) {
        TreeSet<String> detectors = new TreeSet<>();
        Map<String, Map<String, List<AggregateRow>>> byRow = new TreeMap<>();
        Map<String, SuiteSummary> scaleOf = new LinkedHashMap<>();
        for (SuiteSummary s : suites) {
            for (AggregateRow r : s.rows()) {
                if (!r.key().column().isEmpty() && !r.key().column().endsWith("@epoch" + r.epochs())) {
                    continue;   // an intermediate epoch of table 1: the leaderboard compares final numbers
                }
                detectors.add(r.detector());
                String options = Fmt.keyValues(r.cells().get(0).record().options());
                String key = s.scale().ordinal() + "\u0000" + r.method() + "\u0000" + r.key().preset() + "\u0000"
                        + options;
                byRow.computeIfAbsent(key, k -> new LinkedHashMap<>())
                        .computeIfAbsent(r.detector(), k -> new ArrayList<>()).add(r);
                scaleOf.putIfAbsent(key, s);
            }
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        byRow.forEach((key, perDetector) -> {
            String[] parts = key.split("\u0000", -1);
            SuiteSummary s = scaleOf.get(key);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("scale", s.scale().id());
            m.put("result", s.isResult());
            m.put("method", parts[1]);
            m.put("preset", parts[2]);
            m.put("options", parts[3]);
            List<Map<String, String>> values = new ArrayList<>();
            for (String d : detectors) {
                values.add(boardCell(perDetector.getOrDefault(d, List.of())));
            }
            m.put("values", values);
            rows.add(m);
        });
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("detectors", List.copyOf(detectors));
        m.put("rows", rows);
        return m;
    }

    private static Map<String, String> boardCell(List<AggregateRow> rows) {
        Map<String, String> m = new LinkedHashMap<>();
        List<Double> aps = new ArrayList<>();
        List<Double> deltas = new ArrayList<>();
        for (AggregateRow r : rows) {
            double ap = r.stats().get("AP").mean();
            if (!Double.isNaN(ap)) {
                aps.add(ap);
            }
            Double d = r.delta().get("AP");
            if (d != null) {
                deltas.add(d);
            }
        }
        if (aps.isEmpty()) {
            m.put("text", "");
            m.put("sort", "");
            m.put("title", rows.isEmpty() ? "no cells" : "no finished cells");
            return m;
        }
        double ap = aps.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        String text = Fmt.pts(ap);
        String sort = Fmt.num(ap);
        if (!deltas.isEmpty()) {
            double d = deltas.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
            text += " (" + Fmt.signed(d) + ")";
        }
        m.put("text", text);
        m.put("sort", sort);
        m.put("title", "mean over " + rows.size() + " table row(s): " + String.join(", ", rows.stream()
                .map(r -> r.key().suite() + " " + r.key().row() + " (" + r.epochs() + " epochs)").toList()));
        return m;
    }
}
