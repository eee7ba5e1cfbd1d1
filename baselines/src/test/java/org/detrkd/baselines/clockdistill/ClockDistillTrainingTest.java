package org.detrkd.baselines.clockdistill;

import static org.testng.Assert.assertEquals;
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
import org.detrkd.datasets.djl.CocoDetectionDataset;
import org.detrkd.datasets.djl.DetectionBatchifier;
import org.detrkd.detr.backbone.ResNetSpec;
import org.detrkd.detr.conditional.ConditionalDetr;
import org.detrkd.detr.conditional.ConditionalDetrConfig;
import org.detrkd.detr.distill.DistillationTask;
import org.detrkd.detr.distill.DistillationContext;
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
import org.testng.annotations.Test;

/**
 * CLoCKDistill with both detectors decoding the target-aware queries ({@code DistillationTask}): a smoke-scale
 * student (64 px, width 32 against the teacher's 64) trains on one fixed batch with all three terms, a finite and
 * decreasing total loss, a learning memory adapter and a bit-identical teacher.
 */
public class ClockDistillTrainingTest {

    private static final int STEPS = 6;

    @Test
    public void trainsWithAllTermsAndAFrozenTeacher() throws IOException {
        CocoDetectionDataset ds = CocoDetectionDataset.builder().setRoot(TinyData.folder()).setSplit("train")
                .setSampling(2, false).build();
        int k = ds.categories().size();
        ConditionalDetrConfig tc = new ConditionalDetrConfig(k, 64, 4, 128, 1, 2, 10, 0f, ResNetSpec.miniTeacher());
        ConditionalDetrConfig sc = new ConditionalDetrConfig(k, 32, 4, 64, 1, 2, 8, 0f, ResNetSpec.miniStudent());
        Engine.getInstance().setRandomSeed(8);
        try (NDManager model = NDManager.newBaseManager()) {
            ConditionalDetr teacher = DetectorFactory.create(tc, model, 64);
            ConditionalDetr student = DetectorFactory.create(sc, model, 64);
            ClockDistill method = ClockDistill.create(new DistillationContext(tc, sc), model, null, Map.of());
            DistillationTask task = new DistillationTask(student, teacher, method);
            List<float[]> teacherBefore = values(teacher);
            List<float[]> adapterBefore = values(method.adapters().orElseThrow());
            BatchSource inner = new DatasetBatchSource(ds, new DetectionBatchifier(), new DetectionBatchifier());
            BatchSource fixed = new BatchSource() {
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
            for (StepResult r : steps) {
                assertTrue(Float.isFinite(r.loss()), "step " + r.step() + " loss " + r.loss());
                for (String term : List.of(ClockDistill.MEMORY, ClockDistill.QUERY_CLS, ClockDistill.QUERY_BOX)) {
                    Float v = r.terms().get(term);
                    assertTrue(v != null && Float.isFinite(v) && v >= 0, term + " at step " + r.step() + ": "
                            + r.terms());
                }
            }
            float first = steps.get(0).loss();
            float last = (steps.get(STEPS - 1).loss() + steps.get(STEPS - 2).loss()) / 2;
            assertTrue(last < first, "loss " + first + " -> " + last);
            float qFirst = steps.get(0).terms().get(ClockDistill.QUERY_CLS);
            float qLast = steps.get(STEPS - 1).terms().get(ClockDistill.QUERY_CLS);
            assertTrue(qLast < qFirst, "the student learns the teacher's answers on the GT queries: " + qFirst
                    + " -> " + qLast);
            List<float[]> teacherAfter = values(teacher);
            for (int i = 0; i < teacherBefore.size(); i++) {
                assertTrue(Arrays.equals(teacherAfter.get(i), teacherBefore.get(i)), "teacher parameter " + i);
            }
            List<float[]> adapterAfter = values(method.adapters().get());
            assertEquals(adapterAfter.size(), adapterBefore.size());
            assertTrue(!Arrays.equals(adapterAfter.get(0), adapterBefore.get(0)), "the memory adapter learns");
        }
    }

    private static List<float[]> values(Block b) {
        List<float[]> out = new ArrayList<>();
        for (Pair<String, Parameter> p : b.getParameters()) {
            out.add(p.getValue().getArray().toFloatArray());
        }
        return out;
    }
}
