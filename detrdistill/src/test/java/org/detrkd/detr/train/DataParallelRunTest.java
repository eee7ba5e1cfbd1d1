package org.detrkd.detr.train;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.detrkd.datasets.coco.CocoFolder;
import org.detrkd.datasets.coco.CocoJsonReader;
import org.detrkd.detr.detrdistill.DetrDistill;
import org.detrkd.detr.distill.DistillRun;
import org.detrkd.detr.distill.StudentWeights;
import org.detrkd.detr.model.Detector;
import org.testng.annotations.Test;

/**
 * The runs wire data parallelism end to end: {@code TrainRun} and {@code DistillRun} with two replicas on the CPU
 * (the test stand-in for two GPUs) train, evaluate, checkpoint and record the devices; the saved model is the
 * primary's.
 */
public class DataParallelRunTest {

    private static final List<Device> TWO_CPUS = List.of(Device.cpu(), Device.cpu());

    /** A mini-student Conditional DETR run of 1 epoch (batch 4: 2 steps) on the tiny data, evaluation at the end. */
    private static RunSpec spec(int queries, long seed) throws Exception {
        Path data = TinyData.folder();
        int k = CocoJsonReader.read(CocoFolder.open(data).split("train").annotations()).categories().size();
        return new RunSpec("conditional-detr", "student", k, queries, data.toString(), "train", "val", 1, 0, 4, 1e-3,
                1, 1e-4, 0.1, 0, new int[0], 0.1, "none", 64, seed, 1, 0, 1, 0, null, null,
                RunReport.provenance(1, TWO_CPUS));
    }

    private static List<float[]> values(Block b) {
        List<float[]> out = new ArrayList<>();
        for (Pair<String, Parameter> p : b.getParameters()) {
            out.add(p.getValue().getArray().toFloatArray());
        }
        return out;
    }

    @Test
    public void trainAndDistillRunsOnTwoReplicas() throws Exception {
        Path teacherDir = Files.createTempDirectory("dp-train");
        TrainRun.Result t = new TrainRun(spec(6, 1), teacherDir).withLogEvery(1000).withDevices(TWO_CPUS).run();
        assertEquals(t.steps(), 2);
        assertEquals(t.devices(), TWO_CPUS);
        Map<String, Object> report = RunReport.train(t, teacherDir);
        @SuppressWarnings("unchecked")
        Map<String, Object> provenance = (Map<String, Object>) report.get("provenance");
        assertEquals(provenance.get("devices"), List.of("cpu()", "cpu()"));
        assertEquals(RunSpec.read(teacherDir.resolve(RunSpec.FILE)).provenance().get("devices"),
                List.of("cpu()", "cpu()"));

        Path studentDir = Files.createTempDirectory("dp-distill");
        DistillRun.Result d = new DistillRun(spec(5, 2), studentDir, teacherDir, 0,
                (ctx, m) -> DetrDistill.create(ctx, m, null, Map.of()), Map.of("method", "detrdistill"))
                .withLogEvery(1000).withDevices(TWO_CPUS).run();
        assertEquals(d.steps(), 2);
        assertTrue(d.result().stats().length == 12);
        assertTrue(d.description().containsKey("teacher_ap"));
        // the exported student (the primary's detector) loads into a plain detector of the student's spec
        try (NDManager m = NDManager.newBaseManager()) {
            Detector fresh = DetectorFactory.create(spec(5, 2), m);
            StudentWeights.load(fresh, studentDir.resolve(DistillRun.FINAL_STUDENT));
            for (float[] v : values(fresh)) {
                for (float x : v) {
                    assertTrue(Float.isFinite(x));
                }
            }
        }
    }
}
