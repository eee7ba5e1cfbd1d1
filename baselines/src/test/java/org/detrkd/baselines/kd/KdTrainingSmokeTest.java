package org.detrkd.baselines.kd;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.detrkd.baselines.MethodRegistry;
import org.detrkd.datasets.djl.CocoDetectionDataset;
import org.detrkd.datasets.djl.DetectionBatchifier;
import org.detrkd.detr.backbone.ResNetSpec;
import org.detrkd.detr.conditional.ConditionalDetr;
import org.detrkd.detr.conditional.ConditionalDetrConfig;
import org.detrkd.detr.distill.DistillationContext;
import org.detrkd.detr.distill.DistillationMethod;
import org.detrkd.detr.distill.DistillationTask;
import org.detrkd.detr.engine.AdamW;
import org.detrkd.detr.engine.BatchSource;
import org.detrkd.detr.engine.DatasetBatchSource;
import org.detrkd.detr.engine.LrSchedule;
import org.detrkd.detr.engine.StepResult;
import org.detrkd.detr.engine.TrainingConfig;
import org.detrkd.detr.engine.TrainingListener;
import org.detrkd.detr.engine.TrainingLoop;
import org.detrkd.detr.train.DetectorFactory;
import org.detrkd.detr.train.TinyData;
import org.testng.annotations.DataProvider;
import org.testng.annotations.Test;

/**
 * Every registered baseline trains a smoke-scale Conditional DETR student (64 px, widths 32 vs the teacher's 64) from
 * a tiny teacher for a few steps on one fixed batch: the total loss is finite and decreases, the method's terms are
 * present (FGFI: only after its warm-up), its adapters and the student learn, and the teacher stays bit-identical.
 */
public class KdTrainingSmokeTest {

    private static final int STEPS = 6;

    static ConditionalDetrConfig teacherConfig(int k) {
        return new ConditionalDetrConfig(k, 64, 4, 128, 1, 2, 10, 0f, ResNetSpec.miniTeacher());
    }

    static ConditionalDetrConfig studentConfig(int k) {
        return new ConditionalDetrConfig(k, 32, 4, 64, 1, 2, 8, 0f, ResNetSpec.miniStudent());
    }

    @DataProvider
    public Object[][] methods() {
        return new Object[][] {
            {"fitnet", null, Map.of(), "loss_fitnet", 0},
            {"fgd", null, Map.of(), "loss_fgd_fg", 0},
            {"mgd", null, Map.of(), "loss_mgd", 0},
            {"fkd", null, Map.of(), "loss_fkd_feat", 0},
            {"fkd", "mmrazor", Map.of(), "loss_fkd_nonlocal", 0},
            {"fgfi", null, Map.of("warmup-steps", "2"), "loss_fgfi", 2},
            {"clockdistill", null, Map.of(), "kd_clock_memory", 0},
        };
    }

    @Test(dataProvider = "methods")
    public void trainsWithFiniteDecreasingLossAndAFrozenTeacher(String name, String preset,
            Map<String, String> options, String term, int warmup) throws IOException {
        CocoDetectionDataset ds = CocoDetectionDataset.builder().setRoot(TinyData.folder()).setSplit("train")
                .setSampling(2, false).build();
        int k = ds.categories().size();
        Engine.getInstance().setRandomSeed(8);
        try (NDManager model = NDManager.newBaseManager()) {
            ConditionalDetr teacher = DetectorFactory.create(teacherConfig(k), model, 64);
            ConditionalDetr student = DetectorFactory.create(studentConfig(k), model, 64);
            DistillationMethod method = MethodRegistry.create(name, new DistillationContext(teacherConfig(k),
                    studentConfig(k)), model, preset, options);
            DistillationTask task = new DistillationTask(student, teacher, method);
            List<float[]> teacherBefore = values(teacher);
            List<float[]> studentBefore = values(student);
            List<float[]> adaptersBefore = method.adapters().map(KdTrainingSmokeTest::values).orElse(List.of());
            BatchSource inner = new DatasetBatchSource(ds, new DetectionBatchifier(), new DetectionBatchifier());
            BatchSource fixed = new BatchSource() { // the same two images every step
                @Override
                public int size() {
                    return 2;
                }

                @Override
                public Batch batch(NDManager manager, int[] indices) throws IOException {
                    return inner.batch(manager, new int[] {0, 1});
                }
            };
            TrainingLoop loop = new TrainingLoop(task, fixed, task.weights(), LrSchedule.constant(1e-3),
                    AdamW.builder(), TrainingConfig.of(2, 2, STEPS, null).withLogEvery(100));
            List<StepResult> steps = new ArrayList<>();
            loop.addListener(new TrainingListener() {
                @Override
                public void onStep(StepResult r) {
                    steps.add(r);
                }
            });
            loop.fitUntil(STEPS);
            assertEquals(steps.size(), STEPS);
            for (StepResult r : steps) {
                assertTrue(Float.isFinite(r.loss()), name + " step " + r.step() + " loss " + r.loss());
                assertEquals(r.terms().containsKey(term), r.step() >= warmup, name + " term " + term + " at step "
                        + r.step() + ": " + r.terms().keySet());
            }
            float first = steps.get(warmup).loss(); // FGFI: from the step its term turns on
            float last = (steps.get(STEPS - 1).loss() + steps.get(STEPS - 2).loss()) / 2;
            assertTrue(last < first, name + ": loss " + first + " -> " + last);
            List<float[]> teacherAfter = values(teacher);
            for (int i = 0; i < teacherBefore.size(); i++) {
                assertTrue(Arrays.equals(teacherAfter.get(i), teacherBefore.get(i)), "teacher parameter " + i);
            }
            assertTrue(changed(studentBefore, values(student)), name + ": the student trains");
            if (!adaptersBefore.isEmpty()) {
                assertTrue(changed(adaptersBefore, values(method.adapters().get())), name + ": the adapters learn");
            } else {
                assertFalse(name.equals("fitnet"), "FitNet always has adapters");
            }
        }
    }

    private static boolean changed(List<float[]> before, List<float[]> after) {
        for (int i = 0; i < before.size(); i++) {
            if (!Arrays.equals(before.get(i), after.get(i))) {
                return true;
            }
        }
        return false;
    }

    private static List<float[]> values(Block b) {
        List<float[]> out = new ArrayList<>();
        for (Pair<String, Parameter> p : b.getParameters()) {
            out.add(p.getValue().getArray().toFloatArray());
        }
        return out;
    }
}
