package org.detrkd.baselines.kd;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.detrkd.baselines.MethodRegistry;
import org.detrkd.detr.distill.DetectorDescription;
import org.detrkd.detr.distill.DistillationContext;
import org.detrkd.detr.distill.DistillationMethod;
import org.detrkd.detr.distill.DistillationTask;
import org.detrkd.detr.distill.MemoryLevels;
import org.detrkd.detr.distill.TinyDetectors;
import org.detrkd.detr.model.Detector;
import org.detrkd.detr.model.DetrOutputs;
import org.testng.annotations.DataProvider;
import org.testng.annotations.Test;

/**
 * Every baseline for one training step on tiny Deformable DETR and AdaMixer pairs (64 px, widths 64 vs 32): the
 * method's term is present and finite, gradients reach the student and the adapters and never the teacher; the
 * levels each source reads (backbone C3-C5 or AdaMixer's neck levels; Deformable DETR's 4-level memory split per
 * level); CLoCKDistill and the encoder sources refuse AdaMixer with a one-line message.
 */
public class MultiDetectorBaselinesTest {

    private static final int K = 3;
    private static final String DEF = DetectorDescription.DEFORMABLE;
    private static final String ADA = DetectorDescription.ADAMIXER;

    @DataProvider
    public Object[][] cases() {
        return new Object[][] {
            {DEF, "fitnet", Map.of(), "loss_fitnet"},
            {DEF, "fgd", Map.of(), "loss_fgd_fg"},
            {DEF, "mgd", Map.of(), "loss_mgd"},
            {DEF, "fkd", Map.of(), "loss_fkd_feat"},
            {DEF, "fgfi", Map.of("warmup-steps", "0"), "loss_fgfi"},
            {DEF, "clockdistill", Map.of(), "kd_clock_memory"},
            {DEF, "fgd", Map.of("source", "memory"), "loss_fgd_fg"},
            {DEF, "fgfi", Map.of("warmup-steps", "0", "source", "encoder-input"), "loss_fgfi"},
            {ADA, "fitnet", Map.of(), "loss_fitnet"},
            {ADA, "fgd", Map.of(), "loss_fgd_fg"},
            {ADA, "mgd", Map.of(), "loss_mgd"},
            {ADA, "fkd", Map.of(), "loss_fkd_feat"},
            {ADA, "fgfi", Map.of("warmup-steps", "0"), "loss_fgfi"},
        };
    }

    @Test(dataProvider = "cases")
    public void oneStepGivesTheTermAndGradientsReachOnlyStudentAndAdapters(String detector, String name,
            Map<String, String> options, String term) {
        Engine.getInstance().setRandomSeed(8);
        try (NDManager model = NDManager.newBaseManager()) {
            Detector teacher = TinyDetectors.create(detector, true, K, model);
            Detector student = TinyDetectors.create(detector, false, K, model);
            DistillationMethod method = MethodRegistry.create(name, DistillationContext.of(teacher, student), model,
                    null, options);
            DistillationTask task = new DistillationTask(student, teacher, method);
            try (NDManager batch = model.newSubManager()) {
                batch.getEngine().setRandomSeed(11);
                NDList data = new NDList(batch.randomNormal(new Shape(2, 3, 64, 64)), padding(batch));
                NDList labels = labels(batch);
                NDList teacherOut = task.teacher().get().forward(new ParameterStore(model, false), data, labels);
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    gc.zeroGradients();
                    Map<String, NDArray> terms = task.losses(new ParameterStore(model, false), data, labels,
                            teacherOut, true);
                    assertTrue(terms.containsKey(term), name + ": " + terms.keySet());
                    for (Map.Entry<String, NDArray> e : terms.entrySet()) {
                        float v = e.getValue().getFloat();
                        assertTrue(Float.isFinite(v), e.getKey() + " = " + v);
                    }
                    assertTrue(terms.get(term).getFloat() > 0, term + " is positive between different models");
                    gc.backward(task.weights().apply(terms).total());
                }
            }
            assertTrue(gradientSum(student.getParameters()) > 0, "the student gets a gradient");
            // the adapters learn (not every one of their weights at the first step: GcBlock's and the non-local
            // block's zero-initialised output layers block the gradient to the layers before them at first)
            method.adapters().ifPresent(a -> assertTrue(gradientSum(a.getParameters()) > 0, name + ": adapters"));
            for (Pair<String, Parameter> p : teacher.getParameters()) {
                if (p.getValue().getArray().hasGradient()) {
                    assertEquals(absSum(p.getValue().getArray().getGradient()), 0.0, "teacher " + p.getKey());
                }
            }
        }
    }

    @Test
    public void sourcesReadTheDetectorsLevels() {
        Engine.getInstance().setRandomSeed(9);
        try (NDManager m = NDManager.newBaseManager()) {
            Detector def = TinyDetectors.create(DEF, true, K, m);
            DetectorDescription dd = DetectorDescription.of(def);
            DetrOutputs o = def.forward(new ParameterStore(m, false), m.randomNormal(new Shape(2, 3, 64, 64)),
                    padding(m), null, false);
            assertEquals(Arrays.toString(FeatureSource.BACKBONE.strides(dd)), "[8, 16, 32]");
            assertEquals(Arrays.toString(FeatureSource.MEMORY.strides(dd)), "[8, 16, 32, 64]");
            assertEquals(Arrays.toString(FeatureSource.MEMORY.channels(dd)), "[64, 64, 64, 64]");
            List<NDArray> levels = FeatureSource.MEMORY.levels(o, dd);
            assertEquals(levels.stream().map(NDArray::getShape).toList().toString(),
                    "[(2, 64, 8, 8), (2, 64, 4, 4), (2, 64, 2, 2), (2, 64, 1, 1)]");
            // level 1 is memory rows 64..79, row-major over 4 x 4: cell (2, 3) is row 64 + 11
            assertEquals(levels.get(1).get(":, :, 2, 3").sub(o.memory().get(":, 75, :")).abs().max().getFloat(), 0f);
            // the second image's right quarter is padding at every level (8x8: columns 6, 7)
            NDArray mask = FeatureSource.MEMORY.masks(o, dd).get(0);
            assertEquals(mask.get("1, 0, :").toType(DataType.INT32, false).toIntArray(),
                    new int[] {0, 0, 0, 0, 0, 0, 1, 1});
            assertEquals(MemoryLevels.shapes(o, dd).size(), 4);

            Detector ada = TinyDetectors.create(ADA, false, K, m);
            DetectorDescription ad = DetectorDescription.of(ada);
            assertEquals(Arrays.toString(FeatureSource.BACKBONE.channels(ad)), "[32, 32, 32]");
            assertEquals(Arrays.toString(FeatureSource.BACKBONE.strides(ad)), "[8, 16, 32]");
            try {
                FeatureSource.MEMORY.channels(ad);
                throw new AssertionError("expected a failure");
            } catch (IllegalArgumentException e) {
                assertEquals(e.getMessage(), "source=memory reads an encoder, which adamixer does not have: use "
                        + "source=backbone (its neck levels)");
            }
        }
    }

    @Test
    public void clockDistillRefusesAdaMixer() {
        try (NDManager m = NDManager.newBaseManager()) {
            Detector t = TinyDetectors.create(ADA, true, K, m);
            Detector s = TinyDetectors.create(ADA, false, K, m);
            try {
                MethodRegistry.create("clockdistill", DistillationContext.of(t, s), m, null, Map.of());
                throw new AssertionError("expected a failure");
            } catch (IllegalArgumentException e) {
                assertEquals(e.getMessage(), "clockdistill distils an encoder's output and adamixer has no encoder: "
                        + "use conditional-detr or deformable-detr");
            }
        }
    }

    /** Image 1 has its right quarter padded. */
    private static NDArray padding(NDManager m) {
        boolean[] pad = new boolean[2 * 64 * 64];
        for (int i = 64 * 64; i < pad.length; i++) {
            pad[i] = (i % 64) >= 48;
        }
        return m.create(pad, new Shape(2, 64, 64));
    }

    private static NDList labels(NDManager m) {
        long[] classes = {0, 2, 1, -1};
        float[] boxes = {0.3f, 0.4f, 0.2f, 0.3f, 0.7f, 0.6f, 0.3f, 0.5f, 0.5f, 0.5f, 0.6f, 0.4f, 0, 0, 0, 0};
        return new NDList(m.create(classes, new Shape(2, 2)), m.create(boxes, new Shape(2, 2, 4)),
                m.create(new long[] {2, 1}));
    }

    private static double gradientSum(ai.djl.util.PairList<String, Parameter> params) {
        double s = 0;
        for (Pair<String, Parameter> p : params) {
            if (p.getValue().requiresGradient() && p.getValue().getArray().hasGradient()) {
                s += absSum(p.getValue().getArray().getGradient());
            }
        }
        return s;
    }

    private static double absSum(NDArray a) {
        double s = 0;
        for (float f : a.toFloatArray()) {
            s += Math.abs(f);
        }
        return s;
    }
}
