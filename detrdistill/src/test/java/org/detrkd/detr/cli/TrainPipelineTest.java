package org.detrkd.detr.cli;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.detrkd.datasets.coco.CocoFolder;
import org.detrkd.datasets.coco.CocoJsonReader;
import org.detrkd.datasets.coco.CocoResultsReader;
import org.detrkd.datasets.eval.CocoEvaluator;
import org.detrkd.datasets.eval.EvalResult;
import org.detrkd.detr.train.TinyData;
import org.testng.annotations.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The train / evaluate commands end to end on the tiny generated dataset (8 training images of 64 px): a small
 * Conditional DETR overfits them (training-set AP well above zero), the evaluator's statistics agree with evaluating
 * the detections file it wrote, and an interrupted and resumed run ends with the same parameters as a straight one.
 */
public class TrainPipelineTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Mini student with 10 queries, batch 4 (2 steps per epoch), no augmentation, checkpoints only at the end. */
    private static String[] overfitArgs(Path out, String epochs) {
        return new String[] {"--size", "student", "--data", TinyData.folder().toString(), "--out", out.toString(),
            "--epochs", epochs, "--batch-size", "4", "--queries", "10", "--lr", "1e-3", "--backbone-lr-factor", "1",
            "--warmup", "10", "--lr-drop", "0", "--augmentation", "none", "--eval-every", "0",
            "--checkpoint-every", "1000", "--log-every", "1000", "--seed", "5", "--json"};
    }

    @Test
    public void trainingOnAHandfulOfImagesDrivesTheirApWellAboveZero() throws Exception {
        Path out = Files.createTempDirectory("detrkd-overfit");
        AssignCommandTest.Run train = AssignCommandTest.run(new TrainCommand(), overfitArgs(out, "80"));
        assertEquals(train.exitCode(), 0, train.err() + train.failure());
        JsonNode report = JSON.readTree(train.out());
        assertEquals(report.get("stats").size(), 12);
        assertEquals(report.get("steps").asLong(), 160L);
        assertEquals(report.get("spec").get("seed").asLong(), 5L);
        assertTrue(report.get("provenance").has("pytorch_version"));
        assertTrue(Files.isRegularFile(out.resolve("spec.json")));

        Path dets = out.resolve("train-detections.json");
        AssignCommandTest.Run eval = AssignCommandTest.run(new EvaluateCommand(), "--checkpoint", out.toString(),
                "--data", TinyData.folder().toString(), "--split", "train", "--json", "--detections", dets.toString());
        assertEquals(eval.exitCode(), 0, eval.err() + eval.failure());
        JsonNode stats = JSON.readTree(eval.out()).get("stats");
        assertTrue(stats.get(1).asDouble() > 0.5, "training-set AP50 " + stats.get(1));
        assertTrue(stats.get(0).asDouble() > 0.2, "training-set AP " + stats.get(0));

        // the statistics are those of the detections file it wrote, evaluated directly
        Path gt = CocoFolder.open(TinyData.folder()).split("train").annotations();
        EvalResult direct = new CocoEvaluator(1).run(CocoJsonReader.read(gt), gt.toString(),
                CocoResultsReader.read(dets), dets.toString());
        assertEquals(CocoResultsReader.read(dets).size(), 8 * 80); // min(100, Q * K) = 10 * 8 per image
        for (int i = 0; i < 12; i++) {
            assertEquals(stats.get(i).asDouble(), direct.stats()[i], 1e-12, EvalResult.STAT_NAMES.get(i));
        }
    }

    @Test
    public void resumedRunEndsWithTheParametersOfAStraightRun() throws Exception {
        Path straight = Files.createTempDirectory("detrkd-straight");
        Path resumed = Files.createTempDirectory("detrkd-resumed");
        String[] common = {"--size", "student", "--data", TinyData.folder().toString(), "--epochs", "3",
            "--batch-size", "4", "--queries", "6", "--warmup", "2", "--seed", "3", "--eval-every", "1",
            "--augmentation", "flip"};
        assertEquals(AssignCommandTest.run(new TrainCommand(), concat(common, "--out", straight.toString()))
                .exitCode(), 0);
        AssignCommandTest.Run first = AssignCommandTest.run(new TrainCommand(),
                concat(common, "--out", resumed.toString(), "--stop-after-steps", "3", "--json"));
        assertEquals(first.exitCode(), 0, first.err());
        assertEquals(JSON.readTree(first.out()).get("steps").asLong(), 3L);
        assertEquals(JSON.readTree(first.out()).get("stop_reason").asText(), "stop-after-steps");
        AssignCommandTest.Run second = AssignCommandTest.run(new TrainCommand(),
                concat(common, "--out", resumed.toString(), "--json"));
        assertEquals(second.exitCode(), 0, second.err());
        JsonNode r = JSON.readTree(second.out());
        assertEquals(r.get("resumed_from_step").asLong(), 3L);
        assertEquals(r.get("steps").asLong(), 6L);
        // per-epoch AP history survives the resume: epochs 1 (first invocation), 2 (partial stop) and 3
        assertTrue(r.get("eval_history").has("epoch_001/AP"), r.get("eval_history").toString());
        assertTrue(r.get("eval_history").has("epoch_003/AP50"), r.get("eval_history").toString());
        Path a = straight.resolve("checkpoints/step-000000000006");
        Path b = resumed.resolve("checkpoints/step-000000000006");
        for (String f : List.of("student.safetensors", "optimizer.safetensors")) {
            assertTrue(Arrays.equals(Files.readAllBytes(a.resolve(f)), Files.readAllBytes(b.resolve(f))), f);
        }
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
