package org.detrkd.reports.aggregate;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.detrkd.reports.model.CocoMetrics;
import org.detrkd.reports.model.LoadedResult;
import org.detrkd.reports.model.PaperTables;
import org.detrkd.reports.model.ResultRecord;
import org.detrkd.reports.model.Scale;

/**
 * Groups cells into paper-style rows and compares them with the paper.
 *
 * <p>Per row (suite, scale, group, row, column variant, preset): mean and sample std over seeds of every COCO metric
 * (in points, 0-100; a metric pycocotools leaves undefined, -1, is skipped); the delta against the plain student of the
 * same group (same detector, same schedule): the paper's baseline row of that group when the table is known
 * ({@link PaperTables#baselineRow}), else the {@code student} row with the same detector and epochs; the paper's number
 * and its delta against its baseline row; and, per metric, the {@link DirectionRule} verdict: DISAGREE only where our
 * change is clearly (beyond the noise) of the opposite sign to a change the paper claims.
 */
public final class Aggregator {
    private final PaperTables paper;
    private final DirectionRule rule;

    /** @param paper the paper's tables; the direction rule has the default noise floor */
    public Aggregator(PaperTables paper) {
        this(paper, DirectionRule.defaults());
    }

    /**
     * @param paper the paper's tables
     * @param rule when our change has a clear direction, and how it compares with the paper's
     */
    public Aggregator(PaperTables paper, DirectionRule rule) {
        this.paper = paper;
        this.rule = rule;
    }

    /** Aggregates all loaded results into suites sorted by suite id then scale. */
    public List<SuiteSummary> aggregate(List<LoadedResult> results) {
        Map<String, List<LoadedResult>> bySuite = new TreeMap<>();
        for (LoadedResult r : EpochColumns.expand(results, paper)) {
            bySuite.computeIfAbsent(r.record().suite() + "\u0000" + r.record().scale().ordinal(),
                    k -> new ArrayList<>()).add(r);
        }
        List<SuiteSummary> out = new ArrayList<>();
        bySuite.values().forEach(cells -> out.add(suite(cells)));
        return out;
    }

    private SuiteSummary suite(List<LoadedResult> cells) {
        ResultRecord first = cells.get(0).record();
        Map<RowKey, List<LoadedResult>> byRow = new LinkedHashMap<>();
        for (LoadedResult c : cells) {
            byRow.computeIfAbsent(keyOf(c.record()), k -> new ArrayList<>()).add(c);
        }
        String table = cells.stream().map(c -> c.record().paper().table()).filter(paper::hasTable)
                .findFirst().orElse(null);
        List<RowKey> keys = new ArrayList<>(byRow.keySet());
        keys.sort(rowOrder(table, byRow));
        List<AggregateRow> rows = new ArrayList<>();
        for (RowKey k : keys) {
            rows.add(row(k, table, byRow.get(k), byRow));
        }
        TreeSet<String> presets = cells.stream().map(c -> c.record().preset()).filter(p -> p != null)
                .collect(Collectors.toCollection(TreeSet::new));
        String title = paper.title(table).orElse(first.suite());
        return new SuiteSummary(first.suite(), first.scale(), table, title, List.copyOf(presets), rows);
    }

    static RowKey keyOf(ResultRecord r) {
        return new RowKey(r.suite(), r.scale(), nz(r.paper().group()), r.paper().row(), nz(r.paper().column()),
                nz(r.preset()));
    }

    private AggregateRow row(RowKey k, String table, List<LoadedResult> cells, Map<RowKey, List<LoadedResult>> all) {
        cells.sort(Comparator.comparingLong(c -> c.record().seed()));
        ResultRecord first = cells.get(0).record();
        Map<String, Stat> stats = stats(cells);
        Optional<RowKey> base = baselineKey(k, table, first, all);
        boolean isBaseline = base.map(k::equals).orElse(false);
        Map<String, Change> changes = new LinkedHashMap<>();
        if (base.isPresent() && !isBaseline) {
            List<LoadedResult> baseCells = all.get(base.get());
            for (String m : CocoMetrics.PAPER_COLUMNS) {
                Change c = rule.change(samples(cells, m), samples(baseCells, m));
                if (c != null) {
                    changes.put(m, c);
                }
            }
        }
        var ref = cells.get(0).record().paper();
        Map<String, Double> paperValues = table == null ? Map.of() : paper.lookup(ref).orElse(Map.of());
        Map<String, Double> paperDelta = new LinkedHashMap<>();
        if (table != null && !isBaseline) {
            Map<String, Double> pb = paper.lookupBaseline(ref).orElse(Map.of());
            boolean same = paper.baselineRow(ref.table(), ref.group(), ref.row()).map(ref.row()::equals).orElse(true);
            paperValues.forEach((m, v) -> {
                if (!same && pb.containsKey(m)) {
                    paperDelta.put(m, v - pb.get(m));
                }
            });
        }
        Map<String, Verdict> verdicts = new LinkedHashMap<>();
        changes.forEach((m, c) -> {
            Verdict v = rule.verdict(c, paperDelta.get(m));
            if (v != null) {
                verdicts.put(m, v);
            }
        });
        int failed = (int) cells.stream().filter(c -> !c.record().finished()).count();
        return new AggregateRow(k, table, first.method(), first.detector(), first.epochs(), List.copyOf(cells),
                failed, stats, isBaseline, base.filter(b -> !isBaseline).map(RowKey::row).orElse(null),
                changes, paperValues, paperDelta, verdicts);
    }

    private Optional<RowKey> baselineKey(RowKey k, String table, ResultRecord r, Map<RowKey, List<LoadedResult>> all) {
        Optional<String> paperBase = paper.baselineRow(table, emptyToNull(k.group()), k.row());
        if (paperBase.isPresent()) {
            Optional<RowKey> found = all.keySet().stream()
                    .filter(o -> o.group().equals(k.group()) && o.column().equals(k.column())
                            && o.row().equals(paperBase.get()))
                    .min(Comparator.comparing(RowKey::preset));
            if (found.isPresent()) {
                return found;
            }
        }
        return all.entrySet().stream()
                .filter(e -> e.getKey().column().equals(k.column()))
                .filter(e -> {
                    ResultRecord o = e.getValue().get(0).record();
                    return o.method().equals("student") && o.detector().equals(r.detector())
                            && o.epochs() == r.epochs();
                })
                .map(Map.Entry::getKey)
                .min(Comparator.comparing(RowKey::group).thenComparing(RowKey::row).thenComparing(RowKey::preset));
    }

    private static Map<String, Stat> stats(List<LoadedResult> cells) {
        Map<String, Stat> out = new LinkedHashMap<>();
        for (String m : CocoMetrics.NAMES) {
            out.put(m, Stat.of(samples(cells, m).stream().map(DirectionRule.Sample::value).toList()));
        }
        return out;
    }

    /** The finished seeds' values of metric {@code m} in points; undefined values (-1) are skipped. */
    private static List<DirectionRule.Sample> samples(List<LoadedResult> cells, String m) {
        List<DirectionRule.Sample> out = new ArrayList<>();
        for (LoadedResult c : cells) {
            if (c.record().finished()) {
                double v = c.record().metrics().get(m);
                if (v >= 0) {
                    out.add(new DirectionRule.Sample(c.record().seed(), 100.0 * v));
                }
            }
        }
        return out;
    }

    /** Paper order first; rows the paper lacks after, teacher then student then the rest by name. */
    private Comparator<RowKey> rowOrder(String table, Map<RowKey, List<LoadedResult>> byRow) {
        List<String> groups = paper.groups(table);
        List<String> methodOrder = List.of("teacher", "student");
        return Comparator.comparingInt((RowKey k) -> rank(groups, k.group()))
                .thenComparing(RowKey::group)
                .thenComparingInt(k -> rank(paper.rows(table, k.group()), k.row()))
                .thenComparingInt(k -> rank(methodOrder, byRow.get(k).get(0).record().method()))
                .thenComparing(RowKey::row)
                .thenComparingInt(k -> rank(List.copyOf(paper.epochColumns(table).keySet()), k.column()))
                .thenComparing(RowKey::column)
                .thenComparing(RowKey::preset);
    }

    private static int rank(List<String> order, String name) {
        int i = order.indexOf(name);
        return i < 0 ? Integer.MAX_VALUE : i;
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    /** The scale's label in reports. */
    public static String scaleLabel(Scale s) {
        return s.isResult() ? s.id() : s.id() + " (not a result)";
    }
}
