package org.detrkd.detr.cli;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.detrkd.detr.train.RunSpec;
import org.detrkd.detr.train.TinyData;
import org.testng.annotations.Test;

import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;

/** {@code pretrain} and the calibration options of {@code train}: bad input, and a tiny run end to end. */
public class PretrainCommandTest {

    private static String failure(Object command, String... args) {
        AssignCommandTest.Run r = AssignCommandTest.run(command, args);
        assertEquals(r.exitCode(), 2, r.err() + r.out());
        return r.failure().getMessage();
    }

    @Test
    public void rejectsBadInputWithOneLineMessages() {
        String data = TinyData.folder().toString();
        assertEquals(failure(new PretrainCommand(), "--size", "paper", "--data", data, "--out", "/tmp/x.st"),
                "--size: unknown size 'paper'; known: teacher, student (the mini backbones)");
        assertEquals(failure(new PretrainCommand(), "--size", "student", "--data", data, "--out", "/tmp/x.st",
                "--steps", "0"), "--steps: must be positive, got 0");
        assertEquals(failure(new PretrainCommand(), "--size", "student", "--data", data, "--out", "/tmp/x.st",
                "--background-share", "1"), "--background-share: must be in [0, 1), got 1.0");
        assertEquals(failure(new PretrainCommand(), "--size", "student", "--data", "/no/such/dir", "--out",
                "/tmp/x.st"), "/no/such/dir: no such dataset folder");
        String[] train = {"--size", "student", "--data", data, "--out", "/tmp/unused-out", "--epochs", "1"};
        assertEquals(failure(new TrainCommand(), concat(train, "--feature-level", "3")),
                "--feature-level: must be 4, 5 or 0 (preset), got 3");
        assertEquals(failure(new TrainCommand(), concat(train, "--backbone-weights", "/no/such.safetensors")),
                "/no/such.safetensors: no such backbone weights file");
    }

    @Test
    public void aTinyRunWritesWeightsAndReportsJson() throws Exception {
        Path out = Files.createTempDirectory("detrkd-pretrain-cli-").resolve("b.safetensors");
        AssignCommandTest.Run r = AssignCommandTest.run(new PretrainCommand(), "--size", "student", "--data",
                TinyData.folder().toString(), "--out", out.toString(), "--steps", "3", "--batch-size", "4",
                "--crop-size", "16", "--threads", "1", "--json");
        assertEquals(r.exitCode(), 0, r.err() + r.out() + r.failure());
        JsonNode o = new ObjectMapper().readTree(r.out());
        assertEquals(o.get("backbone").asText(), "mini-student");
        assertEquals(o.get("steps").asLong(), 3);
        assertTrue(Double.isFinite(o.get("last_loss").asDouble()) && o.get("last_loss").asDouble() > 0);
        assertTrue(o.get("val_crops").asInt() > 0);
        assertTrue(Files.size(out) > 1_000_000, "safetensors of the 308k-parameter backbone");

        TrainCommand train = new TrainCommand();
        new CommandLine(train).parseArgs("--size", "student", "--data", TinyData.folder().toString(), "--out",
                "/tmp/unused", "--epochs", "1", "--threads", "1", "--backbone-weights", out.toString(),
                "--feature-level", "5");
        RunSpec spec = train.resolve();
        assertEquals(spec.featureLevel(), 5);
        assertEquals(spec.backboneWeights(), out.toAbsolutePath().normalize().toString());
        byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(out));
        assertEquals(spec.backboneWeightsSha256(), java.util.HexFormat.of().formatHex(digest));
        RunSpec other = new RunSpec(spec.detector(), spec.size(), spec.numClasses(), spec.queries(), spec.data(),
                spec.trainSplit(), spec.evalSplit(), spec.epochs(), spec.minutes(), spec.batchSize(), spec.lr(),
                spec.backboneLrFactor(), spec.weightDecay(), spec.clipMaxNorm(), spec.warmupSteps(),
                spec.lrDropEpochs(), spec.lrDropFactor(), spec.augmentation(), spec.imageSize(), spec.seed(),
                spec.threads(), spec.evalEvery(), spec.checkpointEvery(), 4, null, null, spec.provenance());
        assertEquals(other.differences(spec), java.util.List.of("feature_level: 5 -> 4",
                "backbone_weights_sha256: " + spec.backboneWeightsSha256() + " -> null"));
    }

    @Test
    public void miniSizesDefaultToTheCalibratedLearningRates() throws Exception {
        String data = TinyData.folder().toString();
        TrainCommand student = new TrainCommand();
        new CommandLine(student).parseArgs("--size", "student", "--data", data, "--out", "/tmp/unused", "--epochs",
                "1", "--threads", "1");
        RunSpec s = student.resolve();
        assertEquals(s.lr(), 3e-4);
        assertEquals(s.backboneLrFactor(), 1.0);
        TrainCommand explicit = new TrainCommand();
        new CommandLine(explicit).parseArgs("--size", "teacher", "--data", data, "--out", "/tmp/unused", "--epochs",
                "1", "--threads", "1", "--lr", "2e-4", "--backbone-lr-factor", "0.5");
        RunSpec e = explicit.resolve();
        assertEquals(e.lr(), 2e-4);
        assertEquals(e.backboneLrFactor(), 0.5);
        TrainCommand paper = new TrainCommand();
        new CommandLine(paper).parseArgs("--size", "paper", "--data", data, "--out", "/tmp/unused", "--epochs", "1",
                "--threads", "1");
        RunSpec p = paper.resolve();
        assertEquals(p.lr(), 1e-4);
        assertEquals(p.backboneLrFactor(), 0.1);
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = new String[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
