package org.detrkd.reports.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The DETRDistill paper's tables as data (a copy of {@code reference/paper-tables.json} in this module's resources,
 * so nothing outside the jar is needed at run time), looked up by a cell's {@link PaperRef}.
 *
 * <p>Numbers are on the paper's 0-100 scale. Tables whose columns are epoch variants (table 1:
 * {@code AP@epoch4/8/12}) answer for one {@link PaperRef#column()} with an {@code AP} value; the other tables answer
 * AP, APs, APm, APl (the released-code README only AP). Table 6's rows are keyed by the distilled terms joined by
 * {@code +} (pos_cls, pos_reg, neg_reg) or {@code none}. The baseline row of a group is the first row named
 * {@code baseline}, {@code student} or {@code none}; in the README table, {@code R50 student} for {@code R50 ...}.
 */
public final class PaperTables {
    private static final String RESOURCE = "/org/detrkd/reports/paper-tables.json";
    private static final List<String> BASELINE_NAMES = List.of("baseline", "student", "none");
    private static volatile PaperTables instance;

    /** One table: its title, its columns, its groups of rows ({@code ""} when the table has no groups). */
    private record Table(String title, List<String> columns, Map<String, Map<String, List<Double>>> groups) {
    }

    private final String source;
    private final Map<String, Table> tables;

    private PaperTables(String source, Map<String, Table> tables) {
        this.source = source;
        this.tables = tables;
    }

    /** The tables shipped in this module (read once). */
    public static PaperTables get() {
        if (instance == null) {
            synchronized (PaperTables.class) {
                if (instance == null) {
                    instance = read();
                }
            }
        }
        return instance;
    }

    /** Where the numbers come from (the paper, its evaluation set). */
    public String source() {
        return source;
    }

    /** Whether {@code table} is one of the paper's tables. */
    public boolean hasTable(String table) {
        return table != null && tables.containsKey(table);
    }

    /** The table's title, or empty for an unknown table. */
    public Optional<String> title(String table) {
        return hasTable(table) ? Optional.of(tables.get(table).title()) : Optional.empty();
    }

    /** The groups of a table in the paper's order ({@code ""} for a table without groups). */
    public List<String> groups(String table) {
        return hasTable(table) ? List.copyOf(tables.get(table).groups().keySet()) : List.of();
    }

    /** The rows of a group in the paper's order. */
    public List<String> rows(String table, String group) {
        Map<String, List<Double>> rows = rowsOf(table, group);
        return rows == null ? List.of() : List.copyOf(rows.keySet());
    }

    /**
     * The epoch-variant columns of a table ({@code AP@epoch4 -> 4}, in the paper's order), empty for tables whose
     * columns are AP/APs/APm/APl.
     */
    public Map<String, Integer> epochColumns(String table) {
        Map<String, Integer> out = new LinkedHashMap<>();
        if (hasTable(table)) {
            for (String c : tables.get(table).columns()) {
                int at = c.indexOf("@epoch");
                if (at > 0) {
                    out.put(c, Integer.parseInt(c.substring(at + "@epoch".length())));
                }
            }
        }
        return out;
    }

    /** The paper's numbers (0-100) for a cell, by our metric names; empty when the paper has no such cell. */
    public Optional<Map<String, Double>> lookup(PaperRef ref) {
        return lookupRow(ref.table(), ref.group(), ref.row(), ref.column());
    }

    /** The paper's numbers for the baseline row of the cell's group (for the paper's delta). */
    public Optional<Map<String, Double>> lookupBaseline(PaperRef ref) {
        return baselineRow(ref.table(), ref.group(), ref.row())
                .flatMap(b -> lookupRow(ref.table(), ref.group(), b, ref.column()));
    }

    /** The name of the baseline row for {@code row} in a table's group, if the paper has one. */
    public Optional<String> baselineRow(String table, String group, String row) {
        Map<String, List<Double>> rows = rowsOf(table, group);
        if (rows == null) {
            return Optional.empty();
        }
        int space = row == null ? -1 : row.indexOf(' ');
        if (space > 0 && rows.containsKey(row.substring(0, space) + " student")) {
            return Optional.of(row.substring(0, space) + " student");
        }
        return rows.keySet().stream().filter(BASELINE_NAMES::contains).findFirst();
    }

    private Optional<Map<String, Double>> lookupRow(String table, String group, String row, String column) {
        Map<String, List<Double>> rows = rowsOf(table, group);
        if (rows == null || !rows.containsKey(row)) {
            return Optional.empty();
        }
        List<String> columns = tables.get(table).columns();
        List<Double> values = rows.get(row);
        Map<String, Double> out = new LinkedHashMap<>();
        if (column != null) {
            int i = columns.indexOf(column);
            if (i < 0 || i >= values.size()) {
                return Optional.empty();
            }
            out.put(column.contains("@") ? column.substring(0, column.indexOf('@')) : column, values.get(i));
            return Optional.of(out);
        }
        if (columns.stream().anyMatch(c -> c.contains("@"))) {
            return Optional.empty();
        }
        for (int i = 0; i < Math.min(columns.size(), values.size()); i++) {
            out.put(columns.get(i), values.get(i));
        }
        return Optional.of(out);
    }

    private Map<String, List<Double>> rowsOf(String table, String group) {
        if (!hasTable(table)) {
            return null;
        }
        return tables.get(table).groups().get(group == null ? "" : group);
    }

    private static PaperTables read() {
        try (InputStream in = PaperTables.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + RESOURCE);
            }
            JsonNode root = new ObjectMapper().readTree(in);
            List<String> defaultColumns = strings(root.get("columns"));
            Map<String, Table> tables = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = root.get("tables").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                tables.put(e.getKey(), table(e.getValue(), defaultColumns));
            }
            return new PaperTables(root.path("source").asText(""), tables);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }

    private static Table table(JsonNode t, List<String> defaultColumns) {
        List<String> columns = t.has("columns") ? strings(t.get("columns")) : defaultColumns;
        Map<String, Map<String, List<Double>>> groups = new LinkedHashMap<>();
        if (t.has("groups")) {
            t.get("groups").fields().forEachRemaining(g -> groups.put(g.getKey(), rows(g.getValue(), t)));
        } else {
            groups.put("", rows(t.get("rows"), t));
        }
        return new Table(t.path("title").asText(""), columns, groups);
    }

    private static Map<String, List<Double>> rows(JsonNode rows, JsonNode table) {
        Map<String, List<Double>> out = new LinkedHashMap<>();
        if (rows.isArray()) {
            List<String> flags = strings(table.get("columns_key"));
            for (JsonNode r : rows) {
                List<String> on = new ArrayList<>();
                flags.forEach(f -> {
                    if (r.path(f).asBoolean(false)) {
                        on.add(f);
                    }
                });
                out.put(on.isEmpty() ? "none" : String.join("+", on), numbers(r.get("value")));
            }
        } else {
            rows.fields().forEachRemaining(r -> out.put(r.getKey(), numbers(r.getValue())));
        }
        return out;
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static List<Double> numbers(JsonNode array) {
        List<Double> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asDouble()));
        return out;
    }
}
