package org.detrkd.suites.run;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.detrkd.datasets.io.InputException;
import org.detrkd.suites.spec.Cell;

/**
 * Which cells of a suite one invocation runs: {@code --only} (cell ids or run ids, comma separated) and
 * {@code --shard I/N} (after a stable sort by run id, the cells whose index is {@code I mod N}; {@code I} from 0, as
 * Slurm's {@code SLURM_ARRAY_TASK_ID} of {@code --array=0-(N-1)}). The shards of N partition the cells exactly.
 * The selected cells keep the suite's order.
 */
public final class CellSelection {
    private static final Pattern SHARD = Pattern.compile("(\\d+)/(\\d+)");

    private CellSelection() {
    }

    /** A shard: index {@code index} of {@code count}. */
    public record Shard(int index, int count) {
        /** Parses {@code I/N} with {@code 0 <= I < N}. */
        public static Shard parse(String text) {
            Matcher m = SHARD.matcher(text.trim());
            if (!m.matches()) {
                throw new InputException((String) null, "--shard", "expected I/N (e.g. 0/4), got '" + text + "'",
                        null);
            }
            int i = Integer.parseInt(m.group(1));
            int n = Integer.parseInt(m.group(2));
            if (n < 1 || i >= n) {
                throw new InputException((String) null, "--shard", "need 0 <= I < N, got " + text, null);
            }
            return new Shard(i, n);
        }
    }

    /**
     * @param cells the suite's cells
     * @param only ids to keep, or null/empty for all
     * @param shard the shard, or null for all
     * @return the selected cells in suite order
     * @throws InputException for unknown ids (listing a few known ones)
     */
    public static List<Cell> select(List<Cell> cells, List<String> only, Shard shard) {
        List<Cell> kept = cells;
        if (only != null && !only.isEmpty()) {
            Set<String> wanted = new LinkedHashSet<>(only);
            Set<String> known = new HashSet<>();
            for (Cell c : cells) {
                known.add(c.cellId());
                known.add(c.runId());
            }
            List<String> unknown = wanted.stream().filter(w -> !known.contains(w)).toList();
            if (!unknown.isEmpty()) {
                List<String> some = cells.stream().map(Cell::runId).limit(4).toList();
                throw new InputException((String) null, "--only", "unknown cell id" + (unknown.size() > 1 ? "s " : " ")
                        + String.join(", ", unknown) + "; known ids (of " + cells.size() + ") include "
                        + String.join(", ", some) + " (see 'detrkd suites show')", null);
            }
            kept = cells.stream().filter(c -> wanted.contains(c.cellId()) || wanted.contains(c.runId())).toList();
        }
        if (shard != null) {
            kept = shard(kept, shard);
        }
        return kept;
    }

    /** The cells of one shard, in the given order. */
    public static List<Cell> shard(List<Cell> cells, Shard shard) {
        List<Cell> sorted = new ArrayList<>(cells);
        sorted.sort(Comparator.comparing(Cell::runId));
        Set<String> mine = new HashSet<>();
        for (int i = shard.index(); i < sorted.size(); i += shard.count()) {
            mine.add(sorted.get(i).runId());
        }
        return cells.stream().filter(c -> mine.contains(c.runId())).toList();
    }
}
