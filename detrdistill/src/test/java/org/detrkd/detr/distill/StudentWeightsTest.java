package org.detrkd.detr.distill;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.detrkd.detr.conditional.ConditionalDetr;
import org.detrkd.detr.detrdistill.DetrDistill;
import org.detrkd.detr.detrdistill.DetrDistillSettings;
import org.detrkd.detr.engine.CheckpointStore;
import org.detrkd.detr.train.DetectorFactory;
import org.testng.annotations.Test;

/** A distillation checkpoint (detector + adapters) loads back into a plain detector; a plain one too. */
public class StudentWeightsTest {

    @Test
    public void loadsTheDetectorPartOfABundleAndPlainWeights() throws Exception {
        Path dir = Files.createTempDirectory("detrkd-bundle");
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(1);
            ConditionalDetr student = DetectorFactory.create(DistillationTaskTest.tinyStudent(3)
                    .withQueries(4), m, 64);
            ConditionalDetr teacher = DetectorFactory.create(
                    new org.detrkd.detr.conditional.ConditionalDetrConfig(3, 64, 4, 64, 1, 2, 6, 0f,
                            org.detrkd.detr.backbone.ResNetSpec.miniTeacher()), m, 64);
            DetrDistill method = new DetrDistill(DetrDistillSettings.paper(),
                    new DistillationContext(teacher.config(), student.config()), m);
            DistillationTask task = new DistillationTask(student, teacher, method);
            assertTrue(task.student() instanceof StudentBundle, "widths 128 vs 64: adapters make a bundle");
            Path bundle = dir.resolve("bundle.safetensors");
            try (OutputStream out = Files.newOutputStream(bundle)) {
                CheckpointStore.saveWeights(task.student(), out);
            }
            Path plain = dir.resolve("plain.safetensors");
            try (OutputStream out = Files.newOutputStream(plain)) {
                CheckpointStore.saveWeights(student, out);
            }
            List<float[]> expected = DistillationTaskTest.values(student);
            for (Path file : List.of(bundle, plain)) {
                Engine.getInstance().setRandomSeed(2);
                ConditionalDetr fresh = DetectorFactory.create(student.config(), m, 64);
                assertFalse(Arrays.equals(DistillationTaskTest.values(fresh).get(0), expected.get(0)));
                StudentWeights.load(fresh, file);
                List<float[]> got = DistillationTaskTest.values(fresh);
                assertEquals(got.size(), expected.size());
                for (int i = 0; i < got.size(); i++) {
                    assertTrue(Arrays.equals(got.get(i), expected.get(i)), file + " parameter " + i);
                }
            }
        }
    }
}
