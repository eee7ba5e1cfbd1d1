package org.detrkd.detr.matching;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.testng.annotations.DataProvider;
import org.testng.annotations.Test;

/**
 * The solver against scipy's {@code linear_sum_assignment} on the shared goldens
 * ({@code reference/goldens/hungarian.json}): equal indices when the optimum is unique, otherwise a valid assignment
 * with the same total; totals within rtol 1e-12 (double accumulation, goldens/README.md). Every solver variant is
 * checked, and the plain shortest-augmenting-path variant must return scipy's indices even for tied optima.
 */
public class ShortestAugmentingPathSolverGoldenTest {
    private static final double RTOL_DOUBLE = 1e-12;

    static JsonNode goldens() throws IOException {
        String shared = System.getProperty("detrkd.shared");
        if (shared == null) {
            throw new IllegalStateException("system property detrkd.shared (the shared folder) is not set");
        }
        Path file = Path.of(shared, "reference", "goldens", "hungarian.json");
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("missing golden file " + file + " (detrkd.shared=" + shared + ")");
        }
        return new ObjectMapper().readTree(file.toFile());
    }

    /** One golden case; its name is what the test report shows. */
    record Case(String name, JsonNode node) {
        @Override
        public String toString() {
            return name;
        }
    }

    @DataProvider(name = "cases")
    public Object[][] cases() throws IOException {
        List<Object[]> out = new ArrayList<>();
        for (JsonNode c : goldens().get("cases")) {
            out.add(new Object[] {new Case(c.get("name").asText(), c)});
        }
        assertEquals(out.size(), 14, "number of golden cases");
        return out.toArray(new Object[0][]);
    }

    @Test(dataProvider = "cases")
    public void matchesScipy(Case golden) {
        String name = golden.name();
        JsonNode c = golden.node();
        JsonNode shape = c.get("cost").get("shape");
        int rows = shape.get(0).asInt();
        int cols = shape.get(1).asInt();
        double[] cost = doubles(c.get("cost").get("data"));
        int[] expectedRows = ints(c.get("row_ind").get("data"));
        int[] expectedCols = ints(c.get("col_ind").get("data"));
        double expectedTotal = c.get("total_cost").asDouble();

        for (Object[] variant : new ShortestAugmentingPathSolverBruteForceTest().solvers()) {
            String label = name + " (" + variant[0] + ")";
            Assignment a = ((ShortestAugmentingPathSolver) variant[1]).solve(cost, rows, cols);
            AssignmentAsserts.assertValid(a, cost, rows, cols, label);
            if (rows * cols == 0) {
                assertEquals(a.total(), 0.0, 0.0, label);
            } else {
                AssignmentAsserts.assertTotal(a.total(), expectedTotal, RTOL_DOUBLE, label);
            }
            // Plain shortest augmenting paths is scipy's own algorithm, so it must also make scipy's choice among ties.
            if (c.get("unique_optimum").asBoolean() || variant[0].equals("plain SAP")) {
                assertEquals(a.rows(), expectedRows, label + ": rows");
                assertEquals(a.cols(), expectedCols, label + ": cols");
            }
        }
    }

    @Test
    public void oneSharedInstanceGivesTheSameAnswers() throws IOException {
        ShortestAugmentingPathSolver solver = new ShortestAugmentingPathSolver();
        for (int round = 0; round < 2; round++) {
            for (JsonNode c : goldens().get("cases")) {
                JsonNode shape = c.get("cost").get("shape");
                int rows = shape.get(0).asInt();
                int cols = shape.get(1).asInt();
                double[] cost = doubles(c.get("cost").get("data"));
                Assignment shared = solver.solve(cost, rows, cols);
                Assignment fresh = new ShortestAugmentingPathSolver().solve(cost, rows, cols);
                String name = c.get("name").asText();
                assertEquals(shared.rows(), fresh.rows(), name);
                assertEquals(shared.cols(), fresh.cols(), name);
                assertTrue(shared.total() == fresh.total(), name);
            }
        }
    }

    static double[] doubles(JsonNode array) {
        double[] out = new double[array.size()];
        for (int k = 0; k < out.length; k++) {
            out[k] = array.get(k).asDouble();
        }
        return out;
    }

    static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int k = 0; k < out.length; k++) {
            out[k] = array.get(k).asInt();
        }
        return out;
    }
}
