package org.detrkd.reports.render;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.detrkd.reports.aggregate.AggregateRow;
import org.detrkd.reports.aggregate.Change;
import org.detrkd.reports.aggregate.DirectionRule;
import org.detrkd.reports.aggregate.SuiteSummary;
import org.detrkd.reports.aggregate.Verdict;
import org.detrkd.reports.model.CocoMetrics;
import org.detrkd.reports.model.LoadedResult;
import org.detrkd.reports.model.PaperTables;

/**
 * The layout of one group of a paper-style table, shared by the Markdown and HTML renderers. Usually the columns
 * are AP, APs, APm, APl and each aggregated row is a line; when the rows carry column variants (table 1:
 * {@code AP@epoch4/8/12}) the table is pivoted like the paper: one line per row label, one column per variant
 * holding its AP.
 *
 * @param headers the metric or variant column headers (the same for ours and the paper's)
 * @param lines the lines in order
 */
record TableLayout(List<String> headers, List<Line> lines) {
    /**
     * One value of ours.
     *
     * @param text {@code mean ± std (delta)}, without marks
     * @param verdict the direction verdict against the paper, or null
     * @param noise whether our change is within the noise (shown as {@link MarkdownFormat#NOISE})
     * @param note how the change's noise and direction were judged (a tooltip), empty when there is no change
     */
    record Value(String text, Verdict verdict, boolean noise, String note) {
        static final Value EMPTY = new Value("", null, false, "");

        /** Whether our change clearly disagrees in direction with the paper's. */
        boolean disagree() {
            return verdict == Verdict.DISAGREE;
        }

        /** Of metric {@code m} of {@code r}. */
        static Value of(AggregateRow r, String m, DirectionRule rule) {
            Change c = r.changes().get(m);
            if (c == null) {
                return new Value(MarkdownFormat.ours(r, m), null, false, "");
            }
            Verdict v = r.verdicts().get(m);
            String note = "change " + Fmt.signed(c.delta()) + ": " + rule.explain(c);
            if (v != null) {
                note += "; " + paperNote(v, r.paperDelta().get(m));
            }
            return new Value(MarkdownFormat.ours(r, m), v, rule.withinNoise(c), note);
        }

        private static String paperNote(Verdict v, double paperDelta) {
            String p = "the paper's " + Fmt.signed(paperDelta);
            return switch (v) {
                case AGREE -> "agrees with " + p;
                case DISAGREE -> "DISAGREES with " + p;
                case WITHIN_NOISE -> "no clear direction to set against " + p;
                case NO_CLAIM -> p + " is no claim (below " + Fmt.num(DirectionRule.NO_CLAIM_BELOW) + ")";
            };
        }
    }

    /**
     * One line of the table.
     *
     * @param label row label
     * @param method method
     * @param preset preset or empty
     * @param seeds seeds text ({@code 2 (1 failed)})
     * @param baseline whether it is the group's baseline
     * @param ours our values, one per header
     * @param paper the paper's values, one per header (empty string when none)
     * @param cells the cells behind the line (distinct, sorted by seed)
     */
    record Line(String label, String method, String preset, String seeds, boolean baseline, List<Value> ours,
            List<String> paper, List<LoadedResult> cells) {
        /** Whether any value disagrees with the paper. */
        boolean disagree() {
            return ours.stream().anyMatch(Value::disagree);
        }
    }

    /** The layout of {@code group} in {@code s}. */
    static TableLayout of(SuiteSummary s, String group, DirectionRule rule) {
        List<AggregateRow> rows = s.rowsOf(group);
        boolean pivot = rows.stream().anyMatch(r -> !r.key().column().isEmpty());
        return pivot ? pivot(s, rows, rule) : plain(rows, rule);
    }

    private static TableLayout plain(List<AggregateRow> rows, DirectionRule rule) {
        List<Line> lines = new ArrayList<>();
        for (AggregateRow r : rows) {
            List<Value> ours = new ArrayList<>();
            List<String> paper = new ArrayList<>();
            for (String m : CocoMetrics.PAPER_COLUMNS) {
                ours.add(Value.of(r, m, rule));
                paper.add(MarkdownFormat.paper(r, m));
            }
            lines.add(new Line(r.key().row(), r.method(), r.key().preset(), MarkdownFormat.seeds(r), r.baseline(),
                    ours, paper, r.cells()));
        }
        return new TableLayout(CocoMetrics.PAPER_COLUMNS, lines);
    }

    private static TableLayout pivot(SuiteSummary s, List<AggregateRow> rows, DirectionRule rule) {
        List<String> headers = new ArrayList<>(PaperTables.get().epochColumns(s.table()).keySet());
        rows.stream().map(r -> r.key().column()).distinct().sorted()
                .filter(c -> !headers.contains(c)).forEach(headers::add);
        Map<String, List<AggregateRow>> byLine = new LinkedHashMap<>();
        for (AggregateRow r : rows) {
            byLine.computeIfAbsent(r.key().row() + "\u0000" + r.key().preset(), k -> new ArrayList<>()).add(r);
        }
        List<Line> lines = new ArrayList<>();
        for (List<AggregateRow> same : byLine.values()) {
            List<Value> ours = new ArrayList<>();
            List<String> paper = new ArrayList<>();
            for (String h : headers) {
                AggregateRow r = same.stream().filter(x -> x.key().column().equals(h)).findFirst().orElse(null);
                ours.add(r == null ? Value.EMPTY : Value.of(r, "AP", rule));
                paper.add(r == null ? "" : MarkdownFormat.paper(r, "AP"));
            }
            AggregateRow first = same.get(0);
            Set<String> seen = new HashSet<>();
            List<LoadedResult> cells = same.stream().flatMap(r -> r.cells().stream())
                    .filter(l -> seen.add(l.key())).toList();
            String seeds = same.stream().map(MarkdownFormat::seeds).distinct().reduce((a, b) -> a + " / " + b)
                    .orElse("");
            lines.add(new Line(first.key().row(), first.method(), first.key().preset(), seeds, first.baseline(),
                    ours, paper, cells));
        }
        return new TableLayout(headers, lines);
    }
}
