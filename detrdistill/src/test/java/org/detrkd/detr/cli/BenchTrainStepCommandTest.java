package org.detrkd.detr.cli;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.detrkd.detr.conditional.ConditionalDetrConfig;
import org.detrkd.detr.train.FlopCount;
import org.testng.annotations.Test;

/** {@code bench train-step}: the JSON report's fields and their consistency, and option checks. */
public class BenchTrainStepCommandTest {

    @Test
    public void reportsConsistentTimingsAndFlopRate() throws Exception {
        AssignCommandTest.Run r = AssignCommandTest.run(new BenchTrainStepCommand(), "--size", "student",
                "--batch-size", "2", "--image-size", "64", "--queries", "8", "--steps", "3", "--warmup", "1");
        assertEquals(r.exitCode(), 0, r.err() + r.failure());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals(j.get("batch_size").asInt(), 2);
        assertEquals(j.get("queries").asInt(), 8);
        assertEquals(j.get("backbone").asText(), "mini-student");
        double median = j.get("median_step_ms").asDouble();
        assertTrue(j.get("min_step_ms").asDouble() <= median && median <= j.get("max_step_ms").asDouble());
        assertEquals(j.get("images_per_second").asDouble(), 2 / (median / 1000), 1e-9);
        JsonNode phases = j.get("breakdown_mean_ms");
        for (String p : new String[] {"data", "forward", "backward", "clip", "optimizer"}) {
            assertTrue(phases.get(p).asDouble() >= 0, p);
        }
        assertTrue(j.get("matching_ms").asDouble() > 0);
        double flops = FlopCount.trainStepFlops(ConditionalDetrConfig.miniStudent(8).withQueries(8), 2, 64, 64);
        assertEquals(j.get("train_step_gflop").asDouble(), flops / 1e9, 1e-12);
        assertEquals(j.get("achieved_gflops").asDouble(), flops / 1e9 / (median / 1000), 1e-9);
        assertEquals(j.get("fraction_of_ceiling").asDouble(), j.get("achieved_gflops").asDouble() / 125, 1e-12);
        assertTrue(j.get("parameters").asLong() > 1_000_000);
        assertTrue(j.get("provenance").has("djl_version"));
    }

    @Test
    public void rejectsUnknownSizeAndNonPositiveSteps() {
        AssignCommandTest.Run r = AssignCommandTest.run(new BenchTrainStepCommand(), "--size", "huge");
        assertEquals(r.exitCode(), 2);
        assertEquals(r.failure().getMessage(), "--size: unknown size 'huge'; known: teacher, student, paper, paper-teacher");
        r = AssignCommandTest.run(new BenchTrainStepCommand(), "--steps", "0");
        assertEquals(r.exitCode(), 2);
        assertEquals(r.failure().getMessage(), "--steps: must be positive, got 0");
    }
}
