package org.detrkd.baselines.kd;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.detrkd.baselines.fgd.GtBoxes;
import org.detrkd.baselines.fitnet.FeatureAdapter;
import org.detrkd.baselines.fitnet.KdTestSupport;
import org.detrkd.baselines.MethodRegistry;
import org.detrkd.detr.backbone.ResNetSpec;
import org.detrkd.detr.conditional.ConditionalDetrConfig;
import org.detrkd.detr.distill.DistillationContext;
import org.detrkd.detr.distill.DistillationInputs;
import org.detrkd.detr.distill.DistillationMethod;
import org.detrkd.detr.matching.HungarianMatcher;
import org.detrkd.detr.matching.ImageTargets;
import org.detrkd.detr.matching.ShortestAugmentingPathSolver;
import org.detrkd.detr.model.DetrOutputs;
import org.testng.annotations.Test;

/**
 * The feature-KD wrappers on small fixed tensors: each method's terms equal values worked out independently (FitNet by
 * hand) or the underlying block's on the inputs the wrapper should have built (the pixel boxes worked out by hand, the
 * aligned maps), options and presets reach the settings, and bad options fail with their message.
 */
public class FeatureKdMethodsTest {

    static final ConditionalDetrConfig TEACHER = new ConditionalDetrConfig(3, 16, 2, 32, 1, 1, 4, 0f,
            ResNetSpec.miniTeacher());
    static final ConditionalDetrConfig STUDENT = new ConditionalDetrConfig(3, 8, 2, 16, 1, 1, 4, 0f,
            ResNetSpec.miniStudent());
    static final DistillationContext CONTEXT = new DistillationContext(TEACHER, STUDENT);
    static final int[] TC = ResNetSpec.miniTeacher().featureChannels(); // 64, 128, 256
    static final int[] SC = ResNetSpec.miniStudent().featureChannels(); // 32, 64, 128

    private static DistillationInputs inputs(NDManager m, boolean pad) {
        DetrOutputs t = SyntheticOutputs.of(m, TC, 16, pad, 0.0);
        DetrOutputs s = SyntheticOutputs.of(m, SC, 8, pad, 0.5);
        return new DistillationInputs(t, s, SyntheticOutputs.targets(m),
                new HungarianMatcher(new ShortestAugmentingPathSolver()));
    }

    @Test
    public void fitNetEqualsHandComputedMseOnEveryLevel() {
        try (NDManager m = NDManager.newBaseManager()) {
            FitNetMethod f = FitNetMethod.create(CONTEXT, m, null, Map.of("weight", "0.5"));
            assertEquals(f.weights(), Map.of("loss_fitnet", 0.5));
            DistillationInputs in = inputs(m, false);
            double expected = 0;
            for (int l = 0; l < 3; l++) {
                FeatureAdapter a = f.block().adapter(l);
                float[] w = a.conv().getParameters().get("weight").getArray().toFloatArray();
                float[] bias = a.conv().getParameters().get("bias").getArray().toFloatArray();
                float[] s = in.student().features().get(l).toFloatArray();
                float[] t = in.teacher().features().get(l).toFloatArray();
                int hw = (int) (in.student().features().get(l).getShape().get(2)
                        * in.student().features().get(l).getShape().get(3));
                double sum = 0;
                for (int b = 0; b < 2; b++) {
                    for (int o = 0; o < TC[l]; o++) {
                        for (int p = 0; p < hw; p++) {
                            double v = bias[o];
                            for (int c = 0; c < SC[l]; c++) {
                                v += w[o * SC[l] + c] * s[(b * SC[l] + c) * hw + p];
                            }
                            double e = v - t[(b * TC[l] + o) * hw + p];
                            sum += e * e;
                        }
                    }
                }
                expected += sum / (2.0 * TC[l] * hw);
            }
            double actual = f.losses(new ParameterStore(m, false), in, false).get("loss_fitnet").getFloat();
            KdTestSupport.assertClose(actual, expected, 1e-4, 1e-6, "FitNet over C3-C5");
            assertEquals(f.settings(), Map.of("source", "backbone", "weight", 0.5));
        }
    }

    @Test
    public void fgdConvertsTargetsToPixelBoxesOfThePaddedImage() {
        try (NDManager m = NDManager.newBaseManager()) {
            FgdMethod f = FgdMethod.create(CONTEXT, m, null, Map.of("temperature", "0.8"));
            assertEquals(f.block().settings().temperature(), 0.8);
            DistillationInputs in = inputs(m, true);
            // padded image 64 x 64 (8 cells x stride 8); image 1 valid width 4 cells = 32 px
            List<GtBoxes> gt = List.of(
                    new GtBoxes(new float[] {12.8f, 16f, 25.6f, 35.2f, 35.2f, 22.4f, 54.4f, 54.4f}, 64, 64),
                    new GtBoxes(new float[] {6.4f, 19.2f, 25.6f, 44.8f}, 64, 64));
            List<GtBoxes> converted = GtPixels.of(in.targets(), in.student().featureMasks().get(0), 8);
            for (int i = 0; i < 2; i++) {
                assertEquals(converted.get(i).imageHeight(), 64);
                assertEquals(converted.get(i).imageWidth(), 64);
                for (int k = 0; k < gt.get(i).xyxy().length; k++) {
                    assertEquals(converted.get(i).xyxy()[k], gt.get(i).xyxy()[k], 1e-4, "image " + i + " coord " + k);
                }
            }
            ParameterStore ps = new ParameterStore(m, false);
            Map<String, NDArray> actual = f.losses(ps, in, false);
            Map<String, NDArray> expected = f.block().losses(ps, in.student().features(), in.teacher().features(), gt,
                    false);
            assertEquals(actual.keySet(), expected.keySet());
            for (String k : expected.keySet()) {
                KdTestSupport.assertClose(actual.get(k).getFloat(), expected.get(k).getFloat(), 1e-5, 1e-9, k);
            }
            assertEquals(f.weights(), Map.of("loss_fgd_fg", 1e-3, "loss_fgd_bg", 5e-4, "loss_fgd_mask", 5e-4,
                    "loss_fgd_rela", 5e-6));
        }
    }

    @Test
    public void mgdPresetsAndDeterministicEvaluation() {
        try (NDManager m = NDManager.newBaseManager()) {
            MgdMethod two = MgdMethod.create(CONTEXT, m, "two-stage", Map.of());
            assertEquals(two.weights(), Map.of("loss_mgd", 5e-7));
            assertEquals(two.block().settings().maskRatio(), 0.45);
            MgdMethod f = MgdMethod.create(CONTEXT, m, null, Map.of());
            assertEquals(f.block().settings().maskRatio(), 0.65);
            DistillationInputs in = inputs(m, false);
            ParameterStore ps = new ParameterStore(m, false);
            List<NDArray> ones = new ArrayList<>();
            for (NDArray s : in.student().features()) {
                ones.add(m.ones(new ai.djl.ndarray.types.Shape(2, 1, s.getShape().get(2), s.getShape().get(3))));
            }
            float expected = f.block().losses(ps, in.student().features(), in.teacher().features(), ones, false)
                    .get("loss_mgd").getFloat();
            assertEquals(f.losses(ps, in, false).get("loss_mgd").getFloat(), expected, 1e-6f * expected);
            m.getEngine().setRandomSeed(5);
            float a = f.losses(ps, in, true).get("loss_mgd").getFloat();
            m.getEngine().setRandomSeed(5);
            float b = f.losses(ps, in, true).get("loss_mgd").getFloat();
            assertEquals(a, b, "seeded masks repeat");
            assertTrue(a != expected, "training draws a mask");
        }
    }

    @Test
    public void fkdAlignsStudentWidthsThenRunsTheBlock() {
        try (NDManager m = NDManager.newBaseManager()) {
            FkdMethod f = FkdMethod.create(CONTEXT, m, null, Map.of());
            assertEquals(f.settings().get("preset"), "official");
            assertEquals(f.weights().get("loss_fkd_feat"), 7e-5 * 6, 1e-12);
            FkdMethod r = FkdMethod.create(CONTEXT, m, "mmrazor", Map.of("feature-weight", "1"));
            assertEquals(r.weights().get("loss_fkd_feat"), 1.0);
            assertEquals(r.settings().get("channel_mask"), false);
            DistillationInputs in = inputs(m, false);
            ParameterStore ps = new ParameterStore(m, false);
            List<NDArray> aligned = new ArrayList<>();
            for (int l = 0; l < 3; l++) {
                assertTrue(f.align(l) != null, "widths differ at level " + l);
                aligned.add(f.align(l).apply(ps, in.student().features().get(l), false));
            }
            Map<String, NDArray> expected = f.block().losses(ps, aligned, in.teacher().features(), false);
            Map<String, NDArray> actual = f.losses(ps, in, false);
            for (String k : expected.keySet()) {
                KdTestSupport.assertClose(actual.get(k).getFloat(), expected.get(k).getFloat(), 1e-5, 1e-9, k);
            }
        }
    }

    @Test
    public void fgfiWarmsUpThenImitatesInsideTheAnchorMask() {
        try (NDManager m = NDManager.newBaseManager()) {
            FgfiMethod f = FgfiMethod.create(CONTEXT, m, null, Map.of("warmup-steps", "2"));
            assertEquals(f.weights(), Map.of("loss_fgfi", 0.01));
            DistillationInputs in = inputs(m, false);
            ParameterStore ps = new ParameterStore(m, false);
            assertTrue(f.losses(ps, in, true).isEmpty(), "warm-up step 0");
            assertTrue(f.losses(ps, in, true).isEmpty(), "warm-up step 1");
            assertEquals(f.losses(ps, in, false).keySet(), java.util.Set.of("loss_fgfi"), "evaluation ignores warm-up");
            float active = f.losses(ps, in, true).get("loss_fgfi").getFloat();
            assertEquals(f.trainingCalls(), 3);
            List<GtBoxes> gt = GtPixels.of(in.targets(), in.student().featureMasks().get(0), 8);
            float expected = f.block().losses(ps, in.student().features(), in.teacher().features(), gt, false)
                    .get("loss_fgfi").getFloat();
            assertEquals(active, expected, 1e-6f * expected);
            assertTrue(expected > 0);
            assertEquals(FgfiMethod.create(CONTEXT, m, null, Map.of()).settings().get("warmup_steps"), 400L);
        }
    }

    @Test
    public void encoderSourcesReadTheSequenceAsAMap() {
        try (NDManager m = NDManager.newBaseManager()) {
            DistillationMethod f = MethodRegistry.create("fitnet", CONTEXT, m, null, Map.of("source", "memory"));
            DistillationInputs in = inputs(m, false);
            NDArray map = FeatureSource.MEMORY.levels(in.student()).get(0); // [B, d, 2, 2]
            assertEquals(map.getShape(), new ai.djl.ndarray.types.Shape(2, 8, 2, 2));
            float[] seq = in.student().memory().toFloatArray(); // [B, 4, 8]
            float[] v = map.toFloatArray();
            assertEquals(v[((1 * 8 + 3) * 2 + 1) * 2 + 0], seq[(1 * 4 + 2) * 8 + 3], "b 1, channel 3, y 1, x 0");
            assertTrue(Float.isFinite(f.losses(new ParameterStore(m, false), in, false).get("loss_fitnet").getFloat()));
            assertEquals(FeatureSource.ENCODER_INPUT.channels(STUDENT)[0], 8);
            assertTrue(FeatureSource.describe().contains("| fgfi |"));
        }
    }

    @Test
    public void badPresetsAndOptionsFailWithTheirNames() {
        try (NDManager m = NDManager.newBaseManager()) {
            assertEquals(expectThrows(IllegalArgumentException.class,
                    () -> MethodRegistry.create("fgd", CONTEXT, m, null, Map.of("alfa", "1"))).getMessage(),
                    "unknown FGD option 'alfa'; known: source, temperature, alpha, beta, gamma, lambda");
            assertEquals(expectThrows(IllegalArgumentException.class,
                    () -> MethodRegistry.create("mgd", CONTEXT, m, "paper", Map.of())).getMessage(),
                    "unknown MGD preset 'paper'; known: one-stage, two-stage");
            assertEquals(expectThrows(IllegalArgumentException.class,
                    () -> MethodRegistry.create("fitnet", CONTEXT, m, null, Map.of("source", "fpn"))).getMessage(),
                    "unknown feature source 'fpn'; known: backbone, encoder-input, memory");
            assertEquals(expectThrows(IllegalArgumentException.class,
                    () -> MethodRegistry.create("fgfi", CONTEXT, m, null, Map.of("weight", "x"))).getMessage(),
                    "FGFI option weight: not a number: 'x'");
        }
    }

    /** Silences an unused-import warning for ImageTargets in some IDEs. */
    static List<ImageTargets> unused() {
        return List.of();
    }
}
