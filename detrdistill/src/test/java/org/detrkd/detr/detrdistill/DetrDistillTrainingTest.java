package org.detrkd.detr.detrdistill;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.detrkd.datasets.djl.CocoDetectionDataset;
import org.detrkd.datasets.djl.DetectionBatchifier;
import org.detrkd.detr.backbone.ResNetSpec;
import org.detrkd.detr.conditional.ConditionalDetr;
import org.detrkd.detr.conditional.ConditionalDetrConfig;
import org.detrkd.detr.distill.DistillationContext;
import org.detrkd.detr.distill.DistillationTask;
import org.detrkd.detr.engine.AdamW;
import org.detrkd.detr.engine.DatasetBatchSource;
import org.detrkd.detr.engine.LossWeights;
import org.detrkd.detr.engine.LrSchedule;
import org.detrkd.detr.engine.TrainingConfig;
import org.detrkd.detr.engine.TrainingLoop;
import org.detrkd.detr.loss.DirectMemoryScribbler;
import org.detrkd.detr.train.DetectorFactory;
import org.detrkd.detr.train.TinyData;
import org.testng.annotations.Test;

/**
 * DETRDistill inside the training task with a real teacher/student pair of different widths (64 vs 32), query counts
 * (10 vs 8) and decoder depths (3 vs 2): gradients reach only the student and its adapters, gradients do not depend
 * on freed Java memory, and training steps leave the teacher bit-identical.
 */
public class DetrDistillTrainingTest {

    static final int K = 3;

    static ConditionalDetrConfig teacherConfig(int k) {
        return new ConditionalDetrConfig(k, 64, 4, 128, 1, 3, 10, 0f, ResNetSpec.miniTeacher());
    }

    static ConditionalDetrConfig studentConfig(int k) {
        return new ConditionalDetrConfig(k, 32, 4, 64, 1, 2, 8, 0f, ResNetSpec.miniStudent());
    }

    private static NDList labels(NDManager m) {
        long[] classes = {0, 2, 1, -1};
        float[] boxes = {0.3f, 0.4f, 0.2f, 0.3f, 0.7f, 0.6f, 0.3f, 0.5f, 0.5f, 0.5f, 0.6f, 0.4f, 0, 0, 0, 0};
        return new NDList(m.create(classes, new Shape(2, 2)), m.create(boxes, new Shape(2, 2, 4)),
                m.create(new long[] {2, 1}));
    }

    @Test
    public void gradientsReachOnlyStudentAndAdaptersAndIgnoreFreedMemory() {
        Engine.getInstance().setRandomSeed(3);
        try (NDManager model = NDManager.newBaseManager()) {
            ConditionalDetr teacher = DetectorFactory.create(teacherConfig(K), model, 64);
            ConditionalDetr student = DetectorFactory.create(studentConfig(K), model, 64);
            DetrDistill method = new DetrDistill(DetrDistillSettings.paper(),
                    new DistillationContext(teacherConfig(K), studentConfig(K)), model);
            DistillationTask task = new DistillationTask(student, teacher, method);
            assertTrue(method.adapters().isPresent());
            List<float[]> clean = gradients(task, model, false);
            List<float[]> scribbled = gradients(task, model, true);
            int nonZero = 0;
            for (int i = 0; i < clean.size(); i++) {
                for (int j = 0; j < clean.get(i).length; j++) {
                    float a = clean.get(i)[j];
                    assertEquals(scribbled.get(i)[j], a, 1e-5f * Math.max(1f, Math.abs(a)), "parameter " + i);
                    nonZero += a != 0f ? 1 : 0;
                }
            }
            assertTrue(nonZero > 1000, "gradients reach the student: " + nonZero);
            Block phi = method.adapters().get().getChildren().get("01phi");
            boolean phiMoved = false;
            for (Parameter p : phi.getParameters().values()) {
                phiMoved |= Arrays.stream(toDouble(p.getArray().getGradient().toFloatArray())).anyMatch(v -> v != 0);
            }
            assertTrue(phiMoved, "the feature adapter receives a gradient");
            for (Parameter p : teacher.getParameters().values()) {
                if (p.getArray().hasGradient()) {
                    assertTrue(Arrays.stream(toDouble(p.getArray().getGradient().toFloatArray())).allMatch(v -> v == 0),
                            "teacher parameter " + p.getName() + " got a gradient");
                }
            }
        }
    }

    private static List<float[]> gradients(DistillationTask task, NDManager model, boolean scribble) {
        try (NDManager batch = model.newSubManager()) {
            batch.getEngine().setRandomSeed(11);
            NDList data = new NDList(batch.randomNormal(new Shape(2, 3, 64, 64)),
                    batch.zeros(new Shape(2, 64, 64), DataType.BOOLEAN));
            NDList labels = labels(batch);
            NDList teacherOut = task.teacher().get().forward(new ParameterStore(model, false), data, labels);
            LossWeights weights = task.weights();
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.zeroGradients();
                Map<String, NDArray> terms = task.losses(new ParameterStore(model, false), data, labels, teacherOut,
                        true);
                TreeSet<String> kd = new TreeSet<>();
                terms.keySet().stream().filter(n -> n.startsWith("kd_")).forEach(kd::add);
                assertEquals(kd.toString(), "[kd_assign_bbox_0, kd_assign_bbox_1, kd_assign_ce_0, kd_assign_ce_1, "
                        + "kd_assign_giou_0, kd_assign_giou_1, kd_feat, kd_logits_neg_giou_0, kd_logits_neg_giou_1, "
                        + "kd_logits_neg_l1_0, kd_logits_neg_l1_1, kd_logits_pos_cls_0, kd_logits_pos_cls_1, "
                        + "kd_logits_pos_giou_0, kd_logits_pos_giou_1, kd_logits_pos_l1_0, kd_logits_pos_l1_1]");
                for (Map.Entry<String, NDArray> e : terms.entrySet()) {
                    float v = e.getValue().getFloat();
                    assertTrue(Float.isFinite(v) && v >= 0, e.getKey() + " = " + v);
                }
                NDArray total = weights.apply(terms).total();
                if (scribble) {
                    DirectMemoryScribbler.scribble();
                }
                gc.backward(total);
            }
            List<float[]> grads = new ArrayList<>();
            for (Pair<String, Parameter> p : task.student().getParameters()) {
                if (p.getValue().requiresGradient()) {
                    grads.add(p.getValue().getArray().getGradient().toFloatArray());
                }
            }
            return grads;
        }
    }

    @Test
    public void trainingStepsLeaveTheTeacherBitIdentical() throws Exception {
        CocoDetectionDataset ds = CocoDetectionDataset.builder().setRoot(TinyData.folder()).setSplit("train")
                .setSampling(2, false).build();
        int k = ds.categories().size();
        Engine.getInstance().setRandomSeed(8);
        try (NDManager model = NDManager.newBaseManager()) {
            ConditionalDetr teacher = DetectorFactory.create(teacherConfig(k), model, 64);
            ConditionalDetr student = DetectorFactory.create(studentConfig(k), model, 64);
            DetrDistill method = new DetrDistill(DetrDistillSettings.releasedCode(),
                    new DistillationContext(teacherConfig(k), studentConfig(k)), model);
            DistillationTask task = new DistillationTask(student, teacher, method);
            List<float[]> teacherBefore = values(teacher);
            List<float[]> studentBefore = values(student);
            TrainingLoop loop = new TrainingLoop(task, new DatasetBatchSource(ds, new DetectionBatchifier(),
                    new DetectionBatchifier()), task.weights(), LrSchedule.constant(1e-3), AdamW.builder(),
                    TrainingConfig.of(2, 2, 1, null).withLogEvery(100));
            loop.fitUntil(2);
            List<float[]> teacherAfter = values(teacher);
            for (int i = 0; i < teacherBefore.size(); i++) {
                assertTrue(Arrays.equals(teacherAfter.get(i), teacherBefore.get(i)), "teacher parameter " + i);
            }
            List<float[]> studentAfter = values(student);
            boolean changed = false;
            for (int i = 0; i < studentBefore.size(); i++) {
                changed |= !Arrays.equals(studentAfter.get(i), studentBefore.get(i));
            }
            assertTrue(changed, "the student trains");
        }
    }

    private static List<float[]> values(Block b) {
        List<float[]> out = new ArrayList<>();
        for (Pair<String, Parameter> p : b.getParameters()) {
            out.add(p.getValue().getArray().toFloatArray());
        }
        return out;
    }

    private static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }
}
