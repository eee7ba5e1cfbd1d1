package org.detrkd.cli;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.detrkd.datasets.coco.CocoDataset;
import org.detrkd.datasets.coco.CocoJsonReader;
import org.detrkd.datasets.coco.CocoResultsReader;
import org.detrkd.datasets.eval.CocoEvaluator;
import org.detrkd.datasets.eval.PerturbedDetections;
import org.testng.annotations.Test;

/** The quickstart (pipeline-check stage): generated data, perturbed-GT detections, evaluation, summary file. */
public class QuickstartCommandTest {

    @Test
    public void writesDatasetDetectionsAndNumbersThatReEvaluateIdentically() throws Exception {
        Path out = Files.createTempDirectory("detrkd-quickstart");
        DetrkdCliTest.Run r = new DetrkdCliTest.Run("quickstart", "--out", out.toString(), "--train", "20",
                "--val", "40", "--seed", "3", "--threads", "1");
        assertEquals(r.code, 0, r.err);
        assertTrue(r.out.contains("not a trained detector"), r.out);
        Path gtFile = out.resolve("data/shapes/annotations/instances_val.json");
        Path dtFile = out.resolve("detections/perturbed-gt-val.json");
        CocoDataset gt = CocoJsonReader.read(gtFile);
        assertEquals(gt.images().size(), 40);
        double[] expected = new CocoEvaluator(1).run(gt, "gt", CocoResultsReader.read(dtFile), "dt").stats();
        // the detections are exactly the documented perturbation of the ground truth with the same seed
        double[] direct = new CocoEvaluator(1).run(gt, "gt", PerturbedDetections.DEFAULT.apply(gt, 3), "dt").stats();
        JsonNode doc = new ObjectMapper().readTree(out.resolve("quickstart.json").toFile());
        for (int i = 0; i < 12; i++) {
            assertEquals(doc.get("eval").get("stats").get(i).asDouble(), expected[i], 1e-12);
            assertEquals(direct[i], expected[i], 1e-4, "file rounding only");
        }
        assertTrue(expected[0] > 0.2 && expected[0] < 0.9, "AP " + expected[0]);
        assertEquals(doc.get("seed").asLong(), 3L);
        assertTrue(doc.get("provenance").has("git_commit"));

        DetrkdCliTest.Run again = new DetrkdCliTest.Run("quickstart", "--out", out.toString(), "--train", "20",
                "--val", "40", "--seed", "3", "--threads", "1");
        assertEquals(again.code, 0, again.err);
        assertTrue(again.out.contains("(reused)"), again.out);
    }

    @Test
    public void refusesAnEmptyValidationSplit() {
        DetrkdCliTest.Run r = new DetrkdCliTest.Run("quickstart", "--val", "0");
        assertEquals(r.code, Detrkd.EXIT_BAD_INPUT);
        assertEquals(r.err.strip(), "detrkd: --val: the quickstart evaluates on the validation split: need at least 1 "
                + "image, got 0");
    }
}
