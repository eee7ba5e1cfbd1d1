package org.detrkd.detr.pretrain;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;

import org.detrkd.datasets.io.InputException;
import org.detrkd.detr.backbone.ResNet;
import org.detrkd.detr.backbone.ResNetSpec;
import org.detrkd.detr.train.TinyData;
import org.testng.annotations.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

public class BackbonePretrainerTest {

    private static final int CROP = 24;

    @Test
    public void cropsAreDeterministicBySeedAndStepAndLabelled() {
        CropSampler s = new CropSampler(TinyData.folder(), "train", CROP, 0.25);
        assertEquals(s.numClasses(), 8);
        CropSampler.Batch a = s.trainingBatch(5, 3, 16);
        CropSampler.Batch b = s.trainingBatch(5, 3, 16);
        CropSampler.Batch c = s.trainingBatch(5, 4, 16);
        assertEquals(a.pixels().length, 16 * 3 * CROP * CROP);
        assertTrue(Arrays.equals(a.pixels(), b.pixels()));
        assertTrue(Arrays.equals(a.labels(), b.labels()));
        assertFalse(Arrays.equals(a.pixels(), c.pixels()));
        for (int l : a.labels()) {
            assertTrue(l >= 0 && l <= 8, "label " + l);
        }
        CropSampler.Batch e = s.evalBatch(0, 1000);
        assertEquals(e.size(), s.objects());
        for (float v : e.pixels()) {
            assertTrue(Float.isFinite(v) && Math.abs(v) < 3f, "normalised pixel " + v);
        }
    }

    @Test
    public void pretrainingWritesWeightsThatLoadBackExactly() throws Exception {
        CropSampler train = new CropSampler(TinyData.folder(), "train", CROP, 0.1);
        CropSampler val = new CropSampler(TinyData.folder(), "val", CROP, 0);
        Path out = Files.createTempDirectory("detrkd-pretrain-").resolve("student.safetensors");
        BackbonePretrainer.Result r = new BackbonePretrainer(new BackbonePretrainer.Settings(
                ResNetSpec.miniStudent(), 8, 1e-3, 4, 0, 11, 2)).run(train, val, out);
        assertEquals(r.steps(), 4);
        assertTrue(Double.isFinite(r.lastLoss()) && r.lastLoss() > 0, "loss " + r.lastLoss());
        assertEquals(r.evalCrops(), val.objects());
        assertTrue(r.evalAccuracy() >= 0 && r.evalAccuracy() <= 1);
        assertTrue(Files.size(out) > 300_000 * 4, "file size " + Files.size(out));
        try (NDManager m = NDManager.newBaseManager()) {
            ResNet a = fresh(m);
            ResNet b = fresh(m);
            BackboneWeights.load(a, out, m);
            Path again = out.resolveSibling("again.safetensors");
            BackboneWeights.save(a, again);
            BackboneWeights.load(b, again, m);
            Map<String, Parameter> pa = a.torchvisionParameters();
            Map<String, Parameter> pb = b.torchvisionParameters();
            assertEquals(pa.size(), 60); // stem 5 + 4 blocks x 10 + 3 downsamples x 5
            boolean statsMoved = false;
            for (String name : pa.keySet()) {
                NDArray x = pa.get(name).getArray();
                assertEquals(x.toFloatArray(), pb.get(name).getArray().toFloatArray(), name);
                if (name.equals("bn1.running_mean")) {
                    statsMoved = x.abs().sum().getFloat() > 0; // BatchNorm statistics were trained and saved
                }
            }
            assertTrue(statsMoved);
        }
    }

    @Test
    public void weightsOfAnotherPresetAreRefusedNamingTheFile() throws Exception {
        Path out = Files.createTempDirectory("detrkd-pretrain-").resolve("student.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            BackboneWeights.save(fresh(m), out);
            ResNet teacher = new ResNet(ResNetSpec.miniTeacher());
            teacher.initialize(m, DataType.FLOAT32, new Shape(1, 3, 32, 32));
            InputException e = expectThrows(InputException.class, () -> BackboneWeights.load(teacher, out, m));
            assertTrue(e.getMessage().contains(out.toString()), e.getMessage());
            assertTrue(e.getMessage().contains("do not fit mini-teacher"), e.getMessage());
            InputException missing = expectThrows(InputException.class,
                    () -> BackboneWeights.load(teacher, out.resolveSibling("none.safetensors"), m));
            assertTrue(missing.getMessage().contains("no such backbone weights file"), missing.getMessage());
        }
    }

    @Test
    public void learningRateWarmsUpThenFollowsTheCosine() {
        BackbonePretrainer p = new BackbonePretrainer(new BackbonePretrainer.Settings(ResNetSpec.miniStudent(), 8,
                1e-3, 400, 0, 1, 10));
        assertEquals(p.lr(0), 1e-3 / 20, 1e-12); // warm-up of 400 / 20 = 20 steps
        assertEquals(p.lr(19), 1e-3, 1e-12);
        assertEquals(p.lr(20), 1e-3, 1e-12);
        assertEquals(p.lr(210), 0.5e-3, 1e-12); // half-way through the cosine
        assertEquals(p.lr(400), 0, 1e-12);
    }

    private static ResNet fresh(NDManager m) {
        ResNet net = new ResNet(ResNetSpec.miniStudent());
        net.initialize(m, DataType.FLOAT32, new Shape(1, 3, 32, 32));
        return net;
    }
}
