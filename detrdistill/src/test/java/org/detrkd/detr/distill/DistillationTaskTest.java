package org.detrkd.detr.distill;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.detrkd.datasets.djl.CocoDetectionDataset;
import org.detrkd.datasets.djl.DetectionBatchifier;
import org.detrkd.detr.conditional.ConditionalDetr;
import org.detrkd.detr.conditional.ConditionalDetrConfig;
import org.detrkd.detr.engine.AdamW;
import org.detrkd.detr.engine.DatasetBatchSource;
import org.detrkd.detr.engine.LossWeights;
import org.detrkd.detr.engine.LrSchedule;
import org.detrkd.detr.engine.TrainingConfig;
import org.detrkd.detr.engine.TrainingLoop;
import org.detrkd.detr.engine.TrainingTask;
import org.detrkd.detr.train.DetectionTask;
import org.detrkd.detr.train.DetectorFactory;
import org.detrkd.detr.train.TinyData;
import org.testng.annotations.Test;

/** The KD-off control: distillation with {@code none} trains bit for bit like plain detection training. */
public class DistillationTaskTest {

    static ConditionalDetrConfig tinyStudent(int k) {
        return ConditionalDetrConfig.miniStudent(k).withLayers(1, 2).withQueries(8);
    }

    static ConditionalDetrConfig tinyTeacher(int k) {
        return ConditionalDetrConfig.miniTeacher(k).withLayers(1, 2).withQueries(10);
    }

    @Test
    public void noneControlEqualsPlainStudentAndLeavesTeacherUntouched() throws Exception {
        CocoDetectionDataset ds = CocoDetectionDataset.builder().setRoot(TinyData.folder()).setSplit("train")
                .setSampling(2, false).build();
        int k = ds.categories().size();
        try (NDManager manager = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(5);
            ConditionalDetr plain = DetectorFactory.create(tinyStudent(k), manager, 64);
            List<float[]> plainAfter = train(new DetectionTask(plain,
                    new org.detrkd.detr.loss.SetCriterion(new org.detrkd.detr.matching.HungarianMatcher(
                            new org.detrkd.detr.matching.ShortestAugmentingPathSolver()))),
                    DetectionTask.weights(), ds);

            Engine.getInstance().setRandomSeed(5);
            ConditionalDetr student = DetectorFactory.create(tinyStudent(k), manager, 64);
            Engine.getInstance().setRandomSeed(99);
            ConditionalDetr teacher = DetectorFactory.create(tinyTeacher(k), manager, 64);
            List<float[]> teacherBefore = values(teacher);
            DistillationTask task = new DistillationTask(student, teacher, new NoDistillation());
            assertTrue(task.student() == student, "no adapters: the detector itself is trained");
            List<float[]> distilledAfter = train(task, task.weights(), ds);

            assertEquals(distilledAfter.size(), plainAfter.size());
            for (int i = 0; i < plainAfter.size(); i++) {
                assertTrue(Arrays.equals(distilledAfter.get(i), plainAfter.get(i)), "parameter " + i + " differs");
            }
            List<float[]> teacherAfter = values(teacher);
            for (int i = 0; i < teacherBefore.size(); i++) {
                assertTrue(Arrays.equals(teacherAfter.get(i), teacherBefore.get(i)), "teacher parameter " + i);
            }
        }
    }

    private static List<float[]> train(TrainingTask task, LossWeights w, CocoDetectionDataset ds) throws Exception {
        TrainingLoop loop = new TrainingLoop(task, new DatasetBatchSource(ds, new DetectionBatchifier(),
                new DetectionBatchifier()), w, LrSchedule.constant(1e-3), AdamW.builder().optWeightDecay(1e-4),
                TrainingConfig.of(7, 2, 1, null).withLogEvery(100));
        loop.fitUntil(3);
        return values(task.student());
    }

    static List<float[]> values(Block b) {
        List<float[]> out = new ArrayList<>();
        for (Pair<String, Parameter> p : b.getParameters()) {
            out.add(p.getValue().getArray().toFloatArray());
        }
        return out;
    }
}
