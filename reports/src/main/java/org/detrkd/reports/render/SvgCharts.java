package org.detrkd.reports.render;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Small inline SVG charts written as text from data (no AWT, no library): a line chart with a legend and a bar
 * chart. Coordinates are printed with two decimals in Locale.ROOT, so the same data gives the same bytes.
 */
public final class SvgCharts {
    private static final String[] COLORS = {
        "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"};
    private static final int W = 560;
    private static final int H = 260;
    private static final int LEFT = 56;
    private static final int RIGHT = 150;
    private static final int TOP = 26;
    private static final int BOTTOM = 40;

    /** One line: a name and its (x, y) points; non-finite y values are skipped. */
    public record Series(String name, List<double[]> points) {
    }

    private SvgCharts() {
    }

    /** A line chart of {@code series} against a shared x axis, or a short note when there is nothing to draw. */
    public static String lineChart(String title, String xLabel, String yLabel, List<Series> series) {
        List<double[]> all = new ArrayList<>();
        series.forEach(s -> s.points().stream().filter(p -> Double.isFinite(p[1])).forEach(all::add));
        if (all.isEmpty()) {
            return empty(title);
        }
        double[] xr = nice(range(all, 0), true);
        double[] yr = nice(range(all, 1), false);
        StringBuilder sb = open(title);
        axes(sb, xr, yr, xLabel, yLabel);
        for (int i = 0; i < series.size(); i++) {
            Series s = series.get(i);
            String color = COLORS[i % COLORS.length];
            StringBuilder pts = new StringBuilder();
            for (double[] p : s.points()) {
                if (Double.isFinite(p[1])) {
                    pts.append(pts.length() == 0 ? "" : " ").append(f(x(p[0], xr))).append(',').append(f(y(p[1], yr)));
                    sb.append(String.format(Locale.ROOT, "<circle cx=\"%s\" cy=\"%s\" r=\"2.5\" fill=\"%s\"/>",
                            f(x(p[0], xr)), f(y(p[1], yr)), color));
                }
            }
            sb.append("<polyline fill=\"none\" stroke=\"").append(color).append("\" stroke-width=\"1.8\" points=\"")
                    .append(pts).append("\"/>");
            int ly = TOP + 14 + 16 * i;
            sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"3\" fill=\"%s\"/>",
                    W - RIGHT + 14, ly - 4, color));
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"11\">%s</text>",
                    W - RIGHT + 30, ly, esc(s.name())));
        }
        return sb.append("</svg>").toString();
    }

    /** A bar chart, one bar per label (zero-based y axis). */
    public static String barChart(String title, String yLabel, List<String> labels, List<Double> values) {
        if (values.isEmpty()) {
            return empty(title);
        }
        double max = values.stream().filter(Double::isFinite).mapToDouble(Double::doubleValue).max().orElse(1);
        double[] yr = nice(new double[] {0, max <= 0 ? 1 : max}, false);
        StringBuilder sb = open(title);
        axes(sb, null, yr, "", yLabel);
        double plotW = W - LEFT - RIGHT;
        double bw = plotW / values.size();
        for (int i = 0; i < values.size(); i++) {
            double v = Double.isFinite(values.get(i)) ? values.get(i) : 0;
            double top = y(v, yr);
            sb.append(String.format(Locale.ROOT,
                    "<rect x=\"%s\" y=\"%s\" width=\"%s\" height=\"%s\" fill=\"%s\"><title>%s: %s</title></rect>",
                    f(LEFT + bw * i + bw * 0.15), f(top), f(bw * 0.7), f(H - BOTTOM - top), COLORS[0],
                    esc(labels.get(i)), Fmt.num(values.get(i))));
            sb.append(String.format(Locale.ROOT, "<text x=\"%s\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">%s</text>",
                    f(LEFT + bw * (i + 0.5)), H - BOTTOM + 14, esc(labels.get(i))));
        }
        return sb.append("</svg>").toString();
    }

    private static StringBuilder open(String title) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"%s\" class=\"chart\">", W, H, W, H, esc(title)));
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"16\" font-size=\"13\" font-weight=\"bold\">%s</text>",
                LEFT, esc(title)));
        return sb;
    }

    private static void axes(StringBuilder sb, double[] xr, double[] yr, String xLabel, String yLabel) {
        int x0 = LEFT;
        int x1 = W - RIGHT;
        int y0 = H - BOTTOM;
        sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>",
                x0, y0, x1, y0));
        sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>",
                x0, TOP, x0, y0));
        for (int i = 0; yr[0] + yr[2] * i <= yr[1] + yr[2] * 1e-6; i++) {
            double v = yr[0] + yr[2] * i;
            String yy = f(y(v, yr));
            sb.append("<line x1=\"").append(x0).append("\" y1=\"").append(yy).append("\" x2=\"").append(x1)
                    .append("\" y2=\"").append(yy).append("\" stroke=\"#ddd\"/>");
            sb.append("<text x=\"").append(x0 - 4).append("\" y=\"").append(yy)
                    .append("\" font-size=\"10\" text-anchor=\"end\" dominant-baseline=\"middle\">")
                    .append(Fmt.num(round3(v))).append("</text>");
        }
        if (xr != null) {
            for (int i = 0; xr[0] + xr[2] * i <= xr[1] + xr[2] * 1e-6; i++) {
                double v = xr[0] + xr[2] * i;
                sb.append("<text x=\"").append(f(x(v, xr))).append("\" y=\"").append(y0 + 14)
                        .append("\" font-size=\"10\" text-anchor=\"middle\">").append(Fmt.num(round3(v)))
                        .append("</text>");
            }
        }
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">%s</text>",
                (x0 + x1) / 2, H - 8, esc(xLabel)));
        sb.append(String.format(Locale.ROOT, "<text x=\"12\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\" "
                + "transform=\"rotate(-90 12 %d)\">%s</text>", (TOP + y0) / 2, (TOP + y0) / 2, esc(yLabel)));
    }

    private static double[] range(List<double[]> pts, int axis) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (double[] p : pts) {
            lo = Math.min(lo, p[axis]);
            hi = Math.max(hi, p[axis]);
        }
        if (hi - lo < 1e-12) {
            double pad = Math.abs(lo) > 0 ? Math.abs(lo) * 0.1 : 1;
            return new double[] {lo - pad, hi + pad};
        }
        return new double[] {lo, hi};
    }

    /**
     * Widens {@code [lo, hi]} to multiples of a 1-2-5 step giving about 4 intervals; returns {lo, hi, step}.
     * With {@code integer} the step is at least 1 (epochs).
     */
    static double[] nice(double[] r, boolean integer) {
        double raw = (r[1] - r[0]) / 4;
        double mag = Math.pow(10, Math.floor(Math.log10(raw)));
        double f = raw / mag;
        double step = (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
        if (integer) {
            step = Math.max(1, Math.round(step));
        }
        return new double[] {Math.floor(r[0] / step + 1e-9) * step, Math.ceil(r[1] / step - 1e-9) * step, step};
    }

    private static double x(double v, double[] r) {
        return LEFT + (v - r[0]) / (r[1] - r[0]) * (W - LEFT - RIGHT);
    }

    private static double y(double v, double[] r) {
        return (H - BOTTOM) - (v - r[0]) / (r[1] - r[0]) * (H - BOTTOM - TOP);
    }

    private static double round3(double v) {
        double mag = Math.pow(10, 3 - Math.ceil(Math.log10(Math.max(Math.abs(v), 1e-12))));
        return Math.round(v * mag) / mag;
    }

    private static String f(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    private static String empty(String title) {
        return "<p class=\"empty\">" + esc(title) + ": no data</p>";
    }

    /** XML escape for text and attribute values. */
    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
