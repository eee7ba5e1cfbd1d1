package org.detrkd.suites.run;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.detrkd.datasets.io.InputException;
import org.detrkd.reports.model.Scale;
import org.detrkd.suites.spec.Cell;
import org.detrkd.suites.spec.SuiteCatalog;
import org.detrkd.suites.spec.SuiteExpander;
import org.testng.annotations.Test;

/** {@code --shard I/N} partitions a suite's cells exactly; {@code --only} selects and names unknown ids. */
public class CellSelectionTest {
    private static final List<Cell> TABLE1 = SuiteExpander.expand(SuiteCatalog.builtIn("table1"), Scale.MINI);

    @Test
    public void theShardsOfNCoverEveryCellExactlyOnce() {
        assertEquals(TABLE1.size(), 54);
        for (int n : new int[] {1, 2, 3, 5, 7, 54, 60}) {
            List<String> all = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                List<Cell> shard = CellSelection.select(TABLE1, null, new CellSelection.Shard(i, n));
                assertTrue(Math.abs(shard.size() - TABLE1.size() / (double) n) < 1, n + " shards: " + shard.size());
                shard.forEach(c -> all.add(c.runId()));
            }
            assertEquals(all.size(), TABLE1.size(), "N=" + n);
            assertEquals(new HashSet<>(all), runIds(TABLE1), "N=" + n);
        }
    }

    @Test
    public void aShardIsTheSameWhateverTheSuiteOrder() {
        List<Cell> reversed = new ArrayList<>(TABLE1);
        java.util.Collections.reverse(reversed);
        assertEquals(runIds(CellSelection.shard(reversed, new CellSelection.Shard(2, 5))),
                runIds(CellSelection.shard(TABLE1, new CellSelection.Shard(2, 5))));
        List<Cell> one = CellSelection.shard(TABLE1, new CellSelection.Shard(0, 54));
        assertEquals(one.size(), 1);
        assertEquals(one.get(0).runId(), TABLE1.stream().map(Cell::runId).sorted().findFirst().orElseThrow());
    }

    @Test
    public void onlyTakesCellIdsOrRunIdsAndKeepsTheSuiteOrder() {
        List<Cell> picked = CellSelection.select(TABLE1, List.of("adamixer.fgd.e8.seed1", "adamixer.none.e4"), null);
        assertEquals(picked.stream().map(Cell::runId).toList(), List.of("adamixer.none.e4.seed0",
                "adamixer.none.e4.seed1", "adamixer.none.e4.seed2", "adamixer.fgd.e8.seed1"));
    }

    @Test
    public void unknownIdsAndBadShardsAreOneLineErrors() {
        InputException e = expectThrows(InputException.class,
                () -> CellSelection.select(TABLE1, List.of("adamixer.none.e4", "nope"), null));
        assertEquals(e.getMessage(), "--only: unknown cell id nope; known ids (of 54) include adamixer.none.e4.seed0, "
                + "adamixer.none.e4.seed1, adamixer.none.e4.seed2, adamixer.none.e8.seed0 (see 'detrkd suites show')");
        assertEquals(expectThrows(InputException.class, () -> CellSelection.Shard.parse("4/4")).getMessage(),
                "--shard: need 0 <= I < N, got 4/4");
        assertEquals(expectThrows(InputException.class, () -> CellSelection.Shard.parse("1-4")).getMessage(),
                "--shard: expected I/N (e.g. 0/4), got '1-4'");
        assertEquals(CellSelection.Shard.parse("3/8"), new CellSelection.Shard(3, 8));
    }

    private static Set<String> runIds(List<Cell> cells) {
        Set<String> s = new HashSet<>();
        cells.forEach(c -> s.add(c.runId()));
        return s;
    }
}
