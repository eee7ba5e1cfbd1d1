package org.detrkd.baselines.cli;

import static org.testng.Assert.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.testng.annotations.Test;

/** The multi-seed table of {@code compare --seeds}: means, sample deviations and the paired change, by hand. */
public class SeedTableTest {

    private static CompareCommand.Row row(String m, double ap, double seconds) {
        return new CompareCommand.Row(m, new double[] {ap, 2 * ap, 0, 0.1, 0.2, 0.3}, 100, seconds, "epochs");
    }

    @Test
    public void meansSpreadsAndPairedChanges() {
        Map<String, List<CompareCommand.Row>> runs = new LinkedHashMap<>();
        runs.put("none", List.of(row("none", 0.10, 10), row("none", 0.20, 10), row("none", 0.30, 10)));
        runs.put("detrdistill", List.of(row("detrdistill", 0.12, 15), row("detrdistill", 0.21, 15),
                row("detrdistill", 0.29, 17)));
        // none: mean 0.2, sd sqrt(((0.1)^2 + 0 + (0.1)^2) / 2) = 0.1
        assertEquals(SeedTable.stat(runs, "none", 0).mean(), 0.2, 1e-12);
        assertEquals(SeedTable.stat(runs, "none", 0).sd(), 0.1, 1e-12);
        // paired changes +0.02, +0.01, -0.01: mean 0.00667, sd sqrt((0.0133^2 + 0.00333^2 + 0.01667^2) / 2) = sqrt(0.0014 / 3 / 2)
        double[] d = SeedTable.pairedDelta(runs, "detrdistill");
        assertEquals(d[0], 0.02, 1e-12);
        assertEquals(d[2], -0.01, 1e-12);
        assertEquals(SeedTable.Spread.of(d).sd(), Math.sqrt(0.0014 / 3 / 2), 1e-12);
        String[] lines = SeedTable.text(List.of(0L, 1L, 2L), runs).split("\n");
        assertEquals(lines[0], "seeds [0, 1, 2]; mean +/- sample sd over seeds");
        assertEquals(lines[2], "none           0.2000 +/- 0.1000 0.4000 +/- 0.2000  0.1000  0.2000  0.3000 -"
                + "                           100.0    1.00");
        assertEquals(lines[3], "detrdistill    0.2067 +/- 0.0850 0.4133 +/- 0.1701  0.1000  0.2000  0.3000 "
                + "+0.0067 +/- 0.0153 (2/3 up)    156.7    1.57");
    }

    @Test
    public void oneSeedHasNoSpread() {
        assertEquals(SeedTable.Spread.of(new double[] {0.25}).text(), "0.2500");
    }
}
