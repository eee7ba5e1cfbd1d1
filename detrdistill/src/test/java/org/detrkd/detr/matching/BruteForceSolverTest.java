package org.detrkd.detr.matching;

import static org.testng.Assert.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import org.detrkd.detr.loss.GoldenTensors;
import org.testng.annotations.Test;

/** The test oracle itself, on the unique-optimum cases of {@code hungarian.json} small enough to enumerate. */
public class BruteForceSolverTest {

    @Test
    public void agreesWithScipyOnSmallUniqueCases() {
        int checked = 0;
        for (JsonNode c : GoldenTensors.load("hungarian.json").get("cases")) {
            long[] dims = GoldenTensors.shape(c.get("cost")).getShape();
            boolean small = Math.min(dims[0], dims[1]) <= 8 && Math.max(dims[0], dims[1]) <= 12;
            if (!c.get("unique_optimum").asBoolean() || !small) {
                continue;
            }
            Assignment a = new BruteForceSolver().solve(GoldenTensors.values(c.get("cost")), (int) dims[0],
                    (int) dims[1]);
            String name = c.get("name").asText();
            assertEquals(a.rows(), GoldenTensors.ints(c.get("row_ind")), name + " rows");
            assertEquals(a.cols(), GoldenTensors.ints(c.get("col_ind")), name + " cols");
            assertEquals(a.total(), c.get("total_cost").asDouble(), 1e-12 * Math.abs(c.get("total_cost").asDouble()),
                    name + " total");
            checked++;
        }
        assertEquals(checked, 8, "cases checked");
    }
}
