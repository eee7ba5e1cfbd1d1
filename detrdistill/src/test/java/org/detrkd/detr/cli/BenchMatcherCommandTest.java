package org.detrkd.detr.cli;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.SplittableRandom;
import org.detrkd.detr.matching.ShortestAugmentingPathSolver;
import org.testng.annotations.Test;

/** {@code bench matcher}: the JSON report's fields and their consistency, and option checks. */
public class BenchMatcherCommandTest {

    @Test
    public void reportsTimingsAndEnvironment() throws Exception {
        AssignCommandTest.Run r = AssignCommandTest.run(new BenchMatcherCommand(),
                "--rows", "30", "--cols", "7", "--repeat", "25", "--warmup", "0", "--seed", "11");
        assertEquals(r.exitCode(), 0, r.err());
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertEquals(json.get("rows").asInt(), 30);
        assertEquals(json.get("cols").asInt(), 7);
        assertEquals(json.get("repeat").asInt(), 25);
        assertEquals(json.get("seed").asLong(), 11L);
        assertEquals(json.get("java_version").asText(), System.getProperty("java.version"));
        double min = json.get("min_ms").asDouble();
        double median = json.get("median_ms").asDouble();
        double p90 = json.get("p90_ms").asDouble();
        assertTrue(min > 0 && min <= median && median <= p90 && p90 <= json.get("max_ms").asDouble(), r.out());
        assertEquals(json.get("mean_total").asDouble(), expectedMeanTotal(30, 7, 25, 11L), 1e-12);
    }

    /** The same seeded matrices solved directly: the bench must time exactly these problems. */
    private static double expectedMeanTotal(int rows, int cols, int repeat, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        ShortestAugmentingPathSolver solver = new ShortestAugmentingPathSolver();
        double sum = 0.0;
        for (int k = 0; k < repeat; k++) {
            double[] cost = new double[rows * cols];
            for (int i = 0; i < cost.length; i++) {
                cost[i] = random.nextDouble();
            }
            sum += solver.solve(cost, rows, cols).total();
        }
        return sum / repeat;
    }

    @Test
    public void percentileInterpolatesLikeNumpy() {
        double[] sorted = {1, 2, 3, 4, 10};
        assertEquals(BenchMatcherCommand.percentile(sorted, 0.5), 3.0, 0.0);
        assertEquals(BenchMatcherCommand.percentile(sorted, 0.9), 7.6, 1e-12);
        assertEquals(BenchMatcherCommand.percentile(new double[] {2.5}, 0.9), 2.5, 0.0);
    }

    @Test
    public void rejectsNonPositiveRepeat() {
        AssignCommandTest.Run r = AssignCommandTest.run(new BenchMatcherCommand(), "--repeat", "0");
        assertEquals(r.exitCode(), 2);
        assertEquals(r.failure().getMessage(), "--repeat: must be >= 1, got 0");
    }

    @Test
    public void rejectsNegativeSizes() {
        AssignCommandTest.Run r = AssignCommandTest.run(new BenchMatcherCommand(), "--cols", "-3");
        assertEquals(r.exitCode(), 2);
        assertEquals(r.failure().getMessage(), "--cols: must be >= 0, got -3");
    }
}
