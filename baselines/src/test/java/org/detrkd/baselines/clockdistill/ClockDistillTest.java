package org.detrkd.baselines.clockdistill;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.List;
import java.util.Map;
import org.detrkd.baselines.fitnet.KdTestSupport;
import org.detrkd.baselines.kd.SyntheticOutputs;
import org.detrkd.detr.backbone.ResNetSpec;
import org.detrkd.detr.conditional.ConditionalDetrConfig;
import org.detrkd.detr.distill.DistillationContext;
import org.detrkd.detr.distill.DistillationInputs;
import org.detrkd.detr.loss.DirectMemoryScribbler;
import org.detrkd.detr.matching.HungarianMatcher;
import org.detrkd.detr.matching.ImageTargets;
import org.detrkd.detr.matching.ShortestAugmentingPathSolver;
import org.detrkd.detr.model.DetrOutputs;
import org.testng.annotations.Test;

/**
 * CLoCKDistill (our form): location weights, the memory term and the target-query terms against values worked out
 * independently on small fixed tensors; the gradient reaches the student and not the teacher and does not read freed
 * Java memory; settings are all explicit and marked as ours.
 */
public class ClockDistillTest {

    private static final int D = 8;
    private static final ConditionalDetrConfig CFG = new ConditionalDetrConfig(3, D, 2, 16, 1, 1, 4, 0f,
            ResNetSpec.miniStudent());
    private static final DistillationContext SAME = new DistillationContext(CFG, CFG);
    private static final int[] C = ResNetSpec.miniStudent().featureChannels();

    @Test
    public void locationWeightsMarkCellsWhoseCentreIsInsideABox() {
        try (NDManager m = NDManager.newBaseManager()) {
            List<ImageTargets> t = SyntheticOutputs.targets(m);
            NDArray mask = SyntheticOutputs.of(m, C, D, true, 0).memoryMask(); // image 1: right column padded
            float[] w = GtLocationWeights.compute(t, mask, 2, 2, 2.0);
            // image 0: cell centres (.25,.25) (.75,.25) (.25,.75) (.75,.75); box (.3,.4,.2,.3) holds none of them but
            // its centre lies in cell (0,0); box (.7,.6,.3,.5) spans x .55-.85, y .35-.85: holds (.75,.75)
            // image 1: valid 1 column: centres (.5,.25), (.5,.75); box (.5,.5,.6,.4) spans y .3-.7: none, centre cell
            // floor(.5*2) = row 1
            assertEquals(w, new float[] {3, 1, 1, 3, 1, 0, 3, 0});
        }
    }

    @Test
    public void memoryTermIsTheLocationWeightedMse() {
        try (NDManager m = NDManager.newBaseManager()) {
            ClockDistill c = ClockDistill.create(SAME, m, null, Map.of("beta", "2", "queries", "false"));
            assertTrue(c.adapters().isEmpty(), "equal widths: no adapter");
            assertEquals(c.weights(), Map.of(ClockDistill.MEMORY, 1.0));
            DetrOutputs s = SyntheticOutputs.of(m, C, D, true, 0.5);
            DetrOutputs t = SyntheticOutputs.of(m, C, D, true, 0.0);
            List<ImageTargets> targets = SyntheticOutputs.targets(m);
            float[] w = {3, 1, 1, 3, 1, 0, 3, 0};
            float[] ms = s.memory().toFloatArray();
            float[] mt = t.memory().toFloatArray();
            double num = 0;
            double den = 0;
            for (int p = 0; p < 8; p++) {
                double mse = 0;
                for (int k = 0; k < D; k++) {
                    double e = ms[p * D + k] - mt[p * D + k];
                    mse += e * e / D;
                }
                num += w[p] * mse;
                den += w[p];
            }
            Map<String, NDArray> out = c.losses(new ParameterStore(m, false), new DistillationInputs(t, s, targets,
                    new HungarianMatcher(new ShortestAugmentingPathSolver())), false);
            assertEquals(out.keySet(), java.util.Set.of(ClockDistill.MEMORY));
            KdTestSupport.assertClose(out.get(ClockDistill.MEMORY).getFloat(), num / den, 1e-5, 1e-8, "memory");
        }
    }

    @Test
    public void queryTermsAreSoftBceAndL1OverRealQueries() {
        try (NDManager m = NDManager.newBaseManager()) {
            DetrOutputs.ExtraGroup s = group(m, 0.3);
            DetrOutputs.ExtraGroup t = group(m, 1.1);
            NDArray valid = m.create(new float[] {1, 1, 1, 0}, new Shape(2, 2));
            Map<String, NDArray> out = ClockDistill.queryLosses(s, t, valid);
            float[] sl = s.logits().get(1).toFloatArray(); // final stage [2, 2, 3]
            float[] tl = t.logits().get(1).toFloatArray();
            float[] sb = s.boxes().get(1).toFloatArray();
            float[] tb = t.boxes().get(1).toFloatArray();
            double cls = 0;
            double box = 0;
            for (int q = 0; q < 3; q++) { // the three real queries: (0,0), (0,1), (1,0)
                for (int k = 0; k < 3; k++) {
                    double x = sl[q * 3 + k];
                    double p = 1 / (1 + Math.exp(-tl[q * 3 + k]));
                    cls += -(p * Math.log(1 / (1 + Math.exp(-x))) + (1 - p) * Math.log(1 - 1 / (1 + Math.exp(-x))));
                }
                for (int k = 0; k < 4; k++) {
                    box += Math.abs(sb[q * 4 + k] - tb[q * 4 + k]);
                }
            }
            KdTestSupport.assertClose(out.get(ClockDistill.QUERY_CLS).getFloat(), cls / 3, 1e-5, 1e-7, "cls");
            KdTestSupport.assertClose(out.get(ClockDistill.QUERY_BOX).getFloat(), box / 3, 1e-5, 1e-7, "box");
        }
    }

    /** Two stages, 2 images, 2 queries, 3 classes. */
    private static DetrOutputs.ExtraGroup group(NDManager m, double phase) {
        return group(m, phase, 2);
    }

    /** Two stages, 2 images, g queries, 3 classes. */
    private static DetrOutputs.ExtraGroup group(NDManager m, double phase, int g) {
        NDArray logits = KdTestSupport.waveArray(m, new Shape(2, 2, g, 3), phase, 2.0);
        NDArray boxes = KdTestSupport.waveArray(m, new Shape(2, 2, g, 4), phase + 3, 0.3).add(0.5f);
        return new DetrOutputs.ExtraGroup(logits, boxes, m.zeros(new Shape(2, 2, g, D)), m.zeros(new Shape(2, g, 2)));
    }

    @Test
    public void targetQueriesAreTheSineEncodingOfTheBatchBoxes() {
        try (NDManager m = NDManager.newBaseManager()) {
            TargetQueries q = TargetQueries.of(SyntheticOutputs.targets(m), 16, m);
            assertEquals(q.queries().getShape(), new Shape(3, 16));
            assertEquals(q.valid().toFloatArray(), new float[] {1, 1, 0, 0, 0, 1}, "queries 0-1 image 0, 2 image 1");
            assertEquals(q.count(), 3);
            float[] v = q.queries().toFloatArray();
            // query 1 = image 0, box 1 (.7, .6, .3, .5): per coordinate 4 channels sin/cos(2 pi v / 10000^(i/4))
            double y = 0.6 * 2 * Math.PI;
            assertEquals(v[16 + 4], (float) Math.sin(y), 1e-6);
            assertEquals(v[16 + 7], (float) Math.cos(y / 100), 1e-6);
            // query 2 = image 1's box (.5, .5, .6, .4): w channel 8 = sin(2 pi .6)
            assertEquals(v[32 + 8], (float) Math.sin(0.6 * 2 * Math.PI), 1e-6);
        }
    }

    @Test
    public void gradientReachesStudentAndAdapterOnlyAndIgnoresFreedMemory() {
        try (NDManager m = NDManager.newBaseManager()) {
            ConditionalDetrConfig wide = new ConditionalDetrConfig(3, 16, 2, 16, 1, 1, 4, 0f, ResNetSpec.miniTeacher());
            ClockDistill c = ClockDistill.create(new DistillationContext(wide, CFG), m, "ours", Map.of());
            assertTrue(c.adapters().isPresent(), "widths differ: memory adapter");
            float[][] clean = gradients(m, c, false);
            float[][] scribbled = gradients(m, c, true);
            for (int i = 0; i < clean.length; i++) {
                assertTrue(KdTestSupport.absSum(m.create(clean[i])) > 0, "gradient " + i + " is zero");
                for (int j = 0; j < clean[i].length; j++) {
                    assertEquals(scribbled[i][j], clean[i][j], 1e-6f + 1e-5f * Math.abs(clean[i][j]),
                            "gradient " + i + "[" + j + "] changed when freed Java memory was overwritten");
                }
            }
        }
    }

    /** @return gradients of student memory, student extra logits, extra boxes, adapter weight */
    private static float[][] gradients(NDManager m, ClockDistill c, boolean scribble) {
        try (NDManager b = m.newSubManager()) {
            DetrOutputs t0 = SyntheticOutputs.of(b, ResNetSpec.miniTeacher().featureChannels(), 16, true, 0.0);
            DetrOutputs s0 = SyntheticOutputs.of(b, C, D, true, 0.5);
            DetrOutputs.ExtraGroup se = group(b, 0.3, 3); // the batch's 3 boxes
            DetrOutputs.ExtraGroup te = group(b, 1.1, 3);
            DetrOutputs t = withExtra(t0, te);
            DetrOutputs s = withExtra(s0, se);
            NDArray[] inputs = {s.memory(), se.logits(), se.boxes(), t.memory(), te.logits()};
            for (NDArray a : inputs) {
                a.setRequiresGradient(true);
            }
            NDArray weight = c.adapters().get().getParameters().stream().filter(p -> p.getKey().endsWith("weight"))
                    .findFirst().orElseThrow().getValue().getArray();
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.zeroGradients();
                Map<String, NDArray> terms = c.losses(new ParameterStore(m, false), new DistillationInputs(t, s,
                        SyntheticOutputs.targets(b), new HungarianMatcher(new ShortestAugmentingPathSolver())), true);
                assertEquals(terms.keySet(), java.util.Set.of(ClockDistill.MEMORY, ClockDistill.QUERY_CLS,
                        ClockDistill.QUERY_BOX));
                NDArray total = null;
                for (NDArray v : terms.values()) {
                    total = total == null ? v : total.add(v);
                }
                if (scribble) {
                    DirectMemoryScribbler.scribble();
                }
                gc.backward(total);
            }
            assertEquals(KdTestSupport.absSum(t.memory().getGradient()), 0.0, "teacher memory got a gradient");
            assertEquals(KdTestSupport.absSum(te.logits().getGradient()), 0.0, "teacher logits got a gradient");
            return new float[][] {s.memory().getGradient().toFloatArray(), se.logits().getGradient().toFloatArray(),
                se.boxes().getGradient().toFloatArray(), weight.getGradient().toFloatArray()};
        }
    }

    private static DetrOutputs withExtra(DetrOutputs o, DetrOutputs.ExtraGroup e) {
        return new DetrOutputs(o.logits(), o.boxes(), o.hidden(), o.queryEmbed(), o.referencePoints(), o.memory(),
                o.memoryMask(), o.memoryHeight(), o.memoryWidth(), o.encoderInput(), o.features(), o.featureMasks(), e);
    }

    @Test
    public void everySettingIsExplicitAndMarkedAsOurs() {
        try (NDManager m = NDManager.newBaseManager()) {
            ClockDistill c = ClockDistill.create(SAME, m, null, Map.of("lambda-query-box", "3"));
            assertEquals(c.settings().get("hyper_parameters"), "ours (paper code not public)");
            assertEquals(c.weights(), Map.of(ClockDistill.MEMORY, 1.0, ClockDistill.QUERY_CLS, 2.0,
                    ClockDistill.QUERY_BOX, 3.0));
            assertEquals(expectThrows(IllegalArgumentException.class, () -> ClockDistill.create(SAME, m, null,
                    Map.of("gamma", "1"))).getMessage(), "unknown CLoCKDistill option 'gamma'; known: memory, queries, "
                    + "lambda-memory, beta, lambda-query-cls, lambda-query-box, memory-adapter");
            assertEquals(expectThrows(IllegalArgumentException.class, () -> ClockDistill.create(SAME, m, "paper",
                    Map.of())).getMessage(), "unknown CLoCKDistill preset 'paper'; known: ours");
        }
    }
}
