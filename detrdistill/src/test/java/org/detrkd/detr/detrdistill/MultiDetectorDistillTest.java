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
import org.detrkd.detr.distill.DetectorDescription;
import org.detrkd.detr.distill.DistillationContext;
import org.detrkd.detr.distill.DistillationInputs;
import org.detrkd.detr.distill.DistillationTask;
import org.detrkd.detr.distill.NoDistillation;
import org.detrkd.detr.distill.TinyDetectors;
import org.detrkd.detr.engine.AdamW;
import org.detrkd.detr.engine.DatasetBatchSource;
import org.detrkd.detr.engine.LossWeights;
import org.detrkd.detr.engine.LrSchedule;
import org.detrkd.detr.engine.TrainingConfig;
import org.detrkd.detr.engine.TrainingLoop;
import org.detrkd.detr.engine.TrainingTask;
import org.detrkd.detr.loss.DirectMemoryScribbler;
import org.detrkd.detr.matching.HungarianMatcher;
import org.detrkd.detr.matching.ImageTargets;
import org.detrkd.detr.matching.ShortestAugmentingPathSolver;
import org.detrkd.detr.model.Detector;
import org.detrkd.detr.model.DetrOutputs;
import org.detrkd.detr.train.DetectionTask;
import org.detrkd.detr.train.TinyData;
import org.testng.annotations.DataProvider;
import org.testng.annotations.Test;

/**
 * DETRDistill and the KD-off control on Deformable DETR and AdaMixer (tiny models, 64-px images): a step with LD, FD
 * and AD gives the expected finite named terms, gradients reach only the student and its adapters (independent of
 * freed Java memory), a teacher scoring itself gives zero logits terms, {@code none} trains bit for bit like plain
 * training, and DETRDistill training leaves the teacher bit-identical.
 */
public class MultiDetectorDistillTest {

    static final int K = 3;

    static Detector tiny(String detector, boolean teacher, int k, NDManager manager) {
        return TinyDetectors.create(detector, teacher, k, manager);
    }

    @DataProvider
    public static Object[][] detectors() {
        return new Object[][] {{DetectorDescription.DEFORMABLE}, {DetectorDescription.ADAMIXER}};
    }

    private static NDList labels(NDManager m) {
        long[] classes = {0, 2, 1, -1};
        float[] boxes = {0.3f, 0.4f, 0.2f, 0.3f, 0.7f, 0.6f, 0.3f, 0.5f, 0.5f, 0.5f, 0.6f, 0.4f, 0, 0, 0, 0};
        return new NDList(m.create(classes, new Shape(2, 2)), m.create(boxes, new Shape(2, 2, 4)),
                m.create(new long[] {2, 1}));
    }

    @Test(dataProvider = "detectors")
    public void stepGivesFiniteTermsAndGradientsReachOnlyStudentAndAdapters(String detector) {
        Engine.getInstance().setRandomSeed(3);
        try (NDManager model = NDManager.newBaseManager()) {
            Detector teacher = tiny(detector, true, K, model);
            Detector student = tiny(detector, false, K, model);
            DistillationContext context = DistillationContext.of(teacher, student);
            DetrDistill method = new DetrDistill(DetrDistillSettings.paper(), context, model);
            DistillationTask task = new DistillationTask(student, teacher, method);
            Block adapters = method.adapters().orElseThrow();
            assertEquals(adapters.getChildren().keys().toString(), "[01phi, 02query]");
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
            for (Pair<String, Block> child : adapters.getChildren()) {
                boolean moved = false;
                for (Parameter p : child.getValue().getParameters().values()) {
                    moved |= absSum(p.getArray().getGradient()) > 0;
                }
                assertTrue(moved, "adapter " + child.getKey() + " receives a gradient");
            }
            for (Parameter p : teacher.getParameters().values()) {
                if (p.getArray().hasGradient()) {
                    assertEquals(absSum(p.getArray().getGradient()), 0.0, "teacher parameter " + p.getName());
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
                assertTrue(terms.get("kd_feat").getFloat() > 0, "kd_feat is positive between different models");
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

    @Test(dataProvider = "detectors")
    public void teacherScoringItselfHasZeroLogitsTerms(String detector) {
        Engine.getInstance().setRandomSeed(4);
        try (NDManager m = NDManager.newBaseManager()) {
            Detector teacher = tiny(detector, true, K, m);
            NDArray images = m.randomNormal(new Shape(2, 3, 64, 64));
            DetrOutputs t = teacher.forward(new ParameterStore(m, false), images, null, null, false);
            List<ImageTargets> targets = ImageTargets.fromBatch(labels(m));
            DistillationInputs in = new DistillationInputs(t, t, targets,
                    new HungarianMatcher(new ShortestAugmentingPathSolver()));
            // soft-BCE class cost: for each teacher query the cost is smallest at equal logits, so the identity
            // matching is optimal; the focal cost is not minimal at equal logits, and AdaMixer's queries start on
            // the same whole-image box, so with it a model need not be matched to itself
            DetrDistillSettings settings = DetrDistillSettings.of("paper", Map.of("ld-class-cost", "soft-bce"));
            Map<String, NDArray> ld = new LogitsDistillation(settings).losses(in);
            assertEquals(ld.size(), 10, ld.keySet().toString());
            for (Map.Entry<String, NDArray> e : ld.entrySet()) {
                assertEquals(e.getValue().getFloat(), 0f, 1e-5f, e.getKey());
            }
        }
    }

    @Test(dataProvider = "detectors")
    public void featureTermOfTeacherAgainstItselfIsZeroAndReadsTheRightMaps(String detector) {
        Engine.getInstance().setRandomSeed(5);
        try (NDManager m = NDManager.newBaseManager()) {
            Detector teacher = tiny(detector, true, K, m);
            DetrOutputs t = teacher.forward(new ParameterStore(m, false), m.randomNormal(new Shape(2, 3, 64, 64)),
                    null, null, false);
            DistillationInputs in = new DistillationInputs(t, t, ImageTargets.fromBatch(labels(m)),
                    new HungarianMatcher(new ShortestAugmentingPathSolver()));
            boolean adamixer = detector.equals(DetectorDescription.ADAMIXER);
            FeatureDistillation fd = new FeatureDistillation(DetrDistillSettings.paper(), null, adamixer);
            assertEquals(fd.losses(new ParameterStore(m, false), in, false).get("kd_feat").getFloat(), 0f, 0f);
            // the maps: Deformable DETR's memory over all 4 levels (8x8 + 4x4 + 2x2 + 1x1), AdaMixer's 3 neck levels
            long s = adamixer ? 64 + 16 + 4 : 85;
            NDArray flat = adamixer ? FeatureDistillation.flatten(t.features()) : t.memory();
            assertEquals(flat.getShape(), new Shape(2, s, 64));
            assertEquals(FeatureDistillation.queryVectors(t, 64).getShape(), new Shape(4, 64));
            assertEquals(t.queryPrior().getShape(), new Shape(4, adamixer ? 68 : 128));
        }
    }

    @Test(dataProvider = "detectors")
    public void noneControlEqualsPlainTrainingAndDistillationLeavesTeacherUntouched(String detector) throws Exception {
        CocoDetectionDataset ds = CocoDetectionDataset.builder().setRoot(TinyData.folder()).setSplit("train")
                .setSampling(2, false).build();
        int k = ds.categories().size();
        try (NDManager manager = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(5);
            Detector plain = tiny(detector, false, k, manager);
            List<float[]> plainAfter = train(DetectionTask.withDefaults(plain), DetectionTask.weights(), ds, 2);

            Engine.getInstance().setRandomSeed(5);
            Detector student = tiny(detector, false, k, manager);
            Engine.getInstance().setRandomSeed(99);
            Detector teacher = tiny(detector, true, k, manager);
            DistillationTask none = new DistillationTask(student, teacher, new NoDistillation());
            assertTrue(none.student() == student, "no adapters: the detector itself is trained");
            List<float[]> noneAfter = train(none, none.weights(), ds, 2);
            assertEquals(noneAfter.size(), plainAfter.size());
            for (int i = 0; i < plainAfter.size(); i++) {
                assertTrue(Arrays.equals(noneAfter.get(i), plainAfter.get(i)), "parameter " + i + " differs");
            }

            List<float[]> teacherBefore = values(teacher);
            Detector student2 = tiny(detector, false, k, manager);
            List<float[]> studentBefore = values(student2);
            DetrDistill method = new DetrDistill(DetrDistillSettings.releasedCode(),
                    DistillationContext.of(teacher, student2), manager);
            DistillationTask kd = new DistillationTask(student2, teacher, method);
            train(kd, kd.weights(), ds, 2);
            List<float[]> teacherAfter = values(teacher);
            for (int i = 0; i < teacherBefore.size(); i++) {
                assertTrue(Arrays.equals(teacherAfter.get(i), teacherBefore.get(i)), "teacher parameter " + i);
            }
            List<float[]> studentAfter = values(student2);
            boolean changed = false;
            for (int i = 0; i < studentBefore.size(); i++) {
                changed |= !Arrays.equals(studentAfter.get(i), studentBefore.get(i));
            }
            assertTrue(changed, "the distilled student trains");
        }
    }

    @Test
    public void differentDetectorsAreRefused() {
        try (NDManager m = NDManager.newBaseManager()) {
            Detector a = tiny(DetectorDescription.ADAMIXER, true, K, m);
            Detector d = tiny(DetectorDescription.DEFORMABLE, false, K, m);
            try {
                new DistillationTask(d, a, new NoDistillation());
                throw new AssertionError("expected a failure");
            } catch (IllegalArgumentException e) {
                assertEquals(e.getMessage(), "teacher is adamixer, student deformable-detr: distillation needs the "
                        + "same detector");
            }
        }
    }

    private static List<float[]> train(TrainingTask task, LossWeights w, CocoDetectionDataset ds, int steps)
            throws Exception {
        TrainingLoop loop = new TrainingLoop(task, new DatasetBatchSource(ds, new DetectionBatchifier(),
                new DetectionBatchifier()), w, LrSchedule.constant(1e-3), AdamW.builder().optWeightDecay(1e-4),
                TrainingConfig.of(7, 2, 1, null).withLogEvery(100));
        loop.fitUntil(steps);
        return values(task.student());
    }

    private static List<float[]> values(Block b) {
        List<float[]> out = new ArrayList<>();
        for (Pair<String, Parameter> p : b.getParameters()) {
            out.add(p.getValue().getArray().toFloatArray());
        }
        return out;
    }

    private static double absSum(NDArray a) {
        double s = 0;
        for (float f : a.toFloatArray()) {
            s += Math.abs(f);
        }
        return s;
    }
}
