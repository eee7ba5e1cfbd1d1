package org.detrkd.detr.cli;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.testng.annotations.Test;

/** {@code bench distill-step} prints both medians and their ratio. */
public class BenchDistillStepCommandTest {

    @Test
    public void printsPlainAndDistillMediansAndTheirRatio() throws Exception {
        AssignCommandTest.Run r = AssignCommandTest.run(new BenchDistillStepCommand(), "--batch-size", "2",
                "--steps", "2", "--warmup", "1", "--threads", "1", "--preset", "released-code");
        assertEquals(r.exitCode(), 0, r.err() + r.failure());
        JsonNode j = new ObjectMapper().readTree(r.out());
        double plain = j.get("plain_median_step_ms").asDouble();
        double distill = j.get("distill_median_step_ms").asDouble();
        assertTrue(plain > 0 && distill > 0, r.out());
        assertEquals(j.get("ratio").asDouble(), distill / plain, 1e-9);
        assertEquals(j.get("settings").get("preset").asText(), "released-code");
        assertTrue(j.get("distill_breakdown_mean_ms").get("teacher").asDouble() > 0, r.out());
    }
}
