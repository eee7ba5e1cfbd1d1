package org.detrkd.reports.render;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.detrkd.reports.model.CocoMetrics;
import org.detrkd.reports.model.EpochRecord;
import org.detrkd.reports.model.Environment;
import org.detrkd.reports.model.PaperTables;
import org.detrkd.reports.model.ResultRecord;

/**
 * The view model of one cell's page: resolved spec, metrics beside the paper's, environment, failure, and the inline
 * SVG charts (loss terms vs epoch, AP vs epoch, instability per decoder stage).
 */
final class CellPage {
    private CellPage() {
    }

    /**
     * @param r the cell
     * @param images the copied selection-mask image paths, relative to the cell page
     */
    static Map<String, Object> view(ResultRecord r, List<String> images) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("title", r.suite() + " / " + r.cellId() + " / seed " + r.seed());
        m.put("result", r.scale().isResult());
        m.put("facts", facts(r));
        m.put("metrics", metrics(r));
        m.put("failure", failure(r));
        m.put("options", Fmt.json(r.options()));
        m.put("teacher", r.teacher() == null ? "none" : Fmt.json(r.teacher()));
        m.put("student", Fmt.json(r.student()));
        m.put("environment", environment(r.environment()));
        m.put("lossChart", lossChart(r.history()));
        m.put("apChart", apChart(r.history()));
        m.put("instabilityChart", r.instability() == null ? "" : instabilityChart(r.instability()));
        m.put("images", images);
        m.put("suiteHref", "../../" + HtmlViews.suitePath(r.suite(), r.scale()));
        return m;
    }

    private static List<String[]> facts(ResultRecord r) {
        List<String[]> f = new ArrayList<>();
        f.add(new String[] {"suite", r.suite()});
        f.add(new String[] {"scale", r.scale().isResult() ? r.scale().id() : r.scale().id() + " (NOT A RESULT)"});
        f.add(new String[] {"cell", r.cellId()});
        String ref = r.paper().table() == null ? "none" : r.paper().table();
        ref += r.paper().group() == null ? "" : " / " + r.paper().group();
        ref += " / " + r.paper().row() + (r.paper().column() == null ? "" : " / " + r.paper().column());
        f.add(new String[] {"paper cell", ref});
        f.add(new String[] {"method", r.method()});
        f.add(new String[] {"preset", r.preset() == null ? "none" : r.preset()});
        f.add(new String[] {"detector", r.detector()});
        f.add(new String[] {"epochs", Integer.toString(r.epochs())});
        f.add(new String[] {"seed", Long.toString(r.seed())});
        f.add(new String[] {"status", r.status().id()});
        f.add(new String[] {"wall time", String.format(Locale.ROOT, "%.1f s", r.wallTimeSeconds())});
        f.add(new String[] {"steps per second", Fmt.num(r.stepsPerSecond())});
        f.add(new String[] {"peak memory", String.format(Locale.ROOT, "%.1f MiB", r.peakMemoryBytes() / 1048576.0)});
        f.add(new String[] {"finished at", r.finishedAt()});
        return f;
    }

    private static List<String[]> metrics(ResultRecord r) {
        Map<String, Double> paper = PaperTables.get().lookup(r.paper()).orElse(Map.of());
        List<String[]> rows = new ArrayList<>();
        for (String name : CocoMetrics.NAMES) {
            String ours = r.metrics() == null ? Fmt.NA : points(r.metrics().get(name));
            Double p = paper.get(name);
            rows.add(new String[] {name, ours, p == null ? "" : Fmt.pts(p)});
        }
        return rows;
    }

    private static String points(double v) {
        return v < 0 ? Fmt.NA : Fmt.pts(100 * v);
    }

    private static Map<String, Object> failure(ResultRecord r) {
        if (r.failure() == null) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("message", r.failure().message());
        m.put("step", Long.toString(r.failure().step()));
        List<String[]> terms = new ArrayList<>();
        new TreeMap<>(r.failure().terms()).forEach((k, v) -> terms.add(new String[] {k, Fmt.num(v)}));
        m.put("terms", terms);
        return m;
    }

    private static List<String[]> environment(Environment e) {
        List<String[]> f = new ArrayList<>();
        f.add(new String[] {"git commit", e.gitCommit()});
        f.add(new String[] {"detrkd", e.detrkdVersion()});
        f.add(new String[] {"DJL", e.djlVersion()});
        f.add(new String[] {"PyTorch", e.pytorchVersion()});
        f.add(new String[] {"devices", String.join(", ", e.devices())});
        f.add(new String[] {"threads", Integer.toString(e.threads())});
        f.add(new String[] {"Java", e.javaVersion()});
        f.add(new String[] {"OS", e.os()});
        return f;
    }

    static String lossChart(List<EpochRecord> history) {
        TreeSet<String> names = new TreeSet<>();
        history.forEach(h -> names.addAll(h.loss().keySet()));
        List<SvgCharts.Series> series = new ArrayList<>();
        for (String n : names) {
            List<double[]> pts = new ArrayList<>();
            for (EpochRecord h : history) {
                Double v = h.loss().get(n);
                if (v != null) {
                    pts.add(new double[] {h.epoch(), v});
                }
            }
            series.add(new SvgCharts.Series(n, pts));
        }
        return SvgCharts.lineChart("Loss terms (unweighted) vs epoch", "epoch", "loss", series);
    }

    static String apChart(List<EpochRecord> history) {
        List<double[]> pts = new ArrayList<>();
        for (EpochRecord h : history) {
            if (h.ap() != null && h.ap() >= 0) {
                pts.add(new double[] {h.epoch(), 100 * h.ap()});
            }
        }
        return SvgCharts.lineChart("AP vs epoch", "epoch", "AP (0-100)", List.of(new SvgCharts.Series("AP", pts)));
    }

    static String instabilityChart(List<Double> instability) {
        List<String> labels = new ArrayList<>();
        for (int k = 0; k < instability.size(); k++) {
            labels.add((k + 1) + "\u2192" + (k + 2));
        }
        return SvgCharts.barChart("Instability per decoder stage transition (IS, paper Sec. 6)", "IS", labels,
                instability);
    }
}
