package org.detrkd.detr.adamixer;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertNotNull;
import static org.testng.Assert.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;

import org.detrkd.detr.model.DetrOutputs;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.Test;

import java.util.Arrays;

/** AdaMixer on a tiny input: layout, gradients, initial boxes, extra-group isolation and memory. */
public class AdaMixerTest {

    private static final int K = 5;
    private static final int Q = 6;
    private static final int B = 2;
    private static final int D = 128;
    private static final Shape IMAGES = new Shape(B, 3, 64, 64);

    private NDManager modelManager;
    private AdaMixer model;

    /** Mini student with 2 stages, 6 queries, 4 groups of 4 in-points and 8 out-points, and the stride-64 level. */
    static AdaMixerConfig tinyConfig(int classes) {
        return AdaMixerConfig.miniStudent(classes).withStages(2).withQueries(Q).withPoints(4, 4, 8).withExtraLevel(true);
    }

    @BeforeClass
    public void build() {
        Engine.getInstance().setRandomSeed(7);
        modelManager = NDManager.newBaseManager();
        model = new AdaMixer(tinyConfig(K));
        model.initialize(modelManager, DataType.FLOAT32, IMAGES, new Shape(B, 64, 64));
    }

    @AfterClass
    public void close() {
        modelManager.close();
    }

    /** Two images; the second has its right 24 columns and bottom 32 rows padded. */
    private static NDArray[] batch(NDManager m) {
        NDArray images = m.randomNormal(IMAGES);
        boolean[] mask = new boolean[B * 64 * 64];
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                mask[64 * 64 + y * 64 + x] = x >= 40 || y >= 32;
            }
        }
        return new NDArray[] {images, m.create(mask, new Shape(B, 64, 64))};
    }

    @Test
    public void outputShapesFollowTheLayout() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray[] in = batch(m);
            DetrOutputs out = model.forward(new ParameterStore(m, false), in[0], in[1], null, false);
            assertEquals(out.logits().getShape(), new Shape(2, B, Q, K));
            assertEquals(out.boxes().getShape(), new Shape(2, B, Q, 4));
            assertEquals(out.hidden().getShape(), new Shape(2, B, Q, D));
            assertEquals(out.queryEmbed().getShape(), new Shape(Q, D));
            assertEquals(out.referencePoints().getShape(), new Shape(B, Q, 2));
            assertEquals(out.memory().getShape(), new Shape(B, 64, D)); // stride 8: 8 x 8
            assertEquals(out.memoryMask().getShape(), new Shape(B, 64));
            assertEquals(out.features().size(), 4);
            long[] sizes = {8, 4, 2, 1};
            for (int l = 0; l < 4; l++) {
                assertEquals(out.features().get(l).getShape(), new Shape(B, D, sizes[l], sizes[l]));
                assertEquals(out.featureMasks().get(l).getShape(), new Shape(B, sizes[l], sizes[l]));
            }
            Shape[] declared = model.getOutputShapes(new Shape[] {IMAGES});
            var list = out.toNDList();
            assertEquals(declared.length, list.size());
            for (int i = 0; i < declared.length; i++) {
                assertEquals(list.get(i).getShape(), declared[i], "output " + i);
            }
            DetrOutputs back = DetrOutputs.fromNDList(list);
            assertEquals(back.memoryHeight(), 8);
            assertEquals(back.memoryWidth(), 8);
        }
    }

    @Test
    public void initialBoxesAreTheWholeImageAndClassesStartAtThePrior() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray[] in = batch(m);
            DetrOutputs out = model.forward(new ParameterStore(m, false), in[0], in[1], null, false);
            // zero-initialised regression: every stage keeps the whole-image proposal, also for the padded image
            float[] boxes = out.boxes().toFloatArray();
            float[] whole = {0.5f, 0.5f, 1f, 1f};
            for (int i = 0; i < boxes.length; i++) {
                assertEquals(boxes[i], whole[i % 4], 1e-5, "box entry " + i);
            }
            assertEquals(out.referencePoints().sub(0.5f).abs().max().getFloat(), 0f, 1e-7);
            float prior = (float) Math.log(0.01 / 0.99);
            float[] logits = out.logits().toFloatArray();
            assertTrue(Arrays.stream(new double[] {logits[0], logits[logits.length - 1]})
                    .allMatch(v -> Math.abs(v - prior) < 3), "logits near the prior: " + logits[0]);
            // positions: the unpadded image is 64 x 64 and 40 x 32 pixels
            NDArray valid = AdaMixer.validSizes(in[1], 64, 64);
            assertEquals(valid.toFloatArray(), new float[] {64, 64, 40, 32});
            NDArray xyzr = Xyzr.fromBoxes(m.create(whole, new Shape(1, 1, 4)).repeat(0, 2), valid);
            float[] v = xyzr.toFloatArray();
            float[] expected = {32, 32, 6, 0, 20, 16, (float) (0.5 * (Math.log(40 * 32) / Math.log(2))),
                (float) (Math.log(32.0 / 40) / Math.log(2))};
            for (int i = 0; i < v.length; i++) {
                assertEquals(v[i], expected[i], 1e-5, "xyzr entry " + i);
            }
        }
    }

    @Test
    public void levelWeightsMatchHandComputedSoftmax() {
        try (NDManager m = NDManager.newBaseManager()) {
            float[] z = {4f, 3f, 6.5f, 10f};
            float[] w = Xyzr.levelWeights(m.create(z), new int[] {8, 16, 32, 64}, 2.0).toFloatArray();
            // z = 4: exp(-(1, 0, 1, 4) / 2) normalised
            double[] e4 = {Math.exp(-0.5), 1, Math.exp(-0.5), Math.exp(-2)};
            double s4 = e4[0] + e4[1] + e4[2] + e4[3];
            assertEquals(w[0], 0.258275, 1e-5);
            assertEquals(w[1], 0.425822, 1e-5);
            for (int l = 0; l < 4; l++) {
                assertEquals(w[l], e4[l] / s4, 1e-6);
            }
            for (int i = 1; i < z.length; i++) {
                double[] e = new double[4];
                double sum = 0;
                for (int l = 0; l < 4; l++) {
                    double diff = z[i] - (3 + l);
                    e[l] = Math.exp(-diff * diff / 2);
                    sum += e[l];
                }
                for (int l = 0; l < 4; l++) {
                    assertEquals(w[4 * i + l], e[l] / sum, 1e-6, "z " + z[i] + " level " + l);
                }
            }
            assertEquals(w[4 * 3 + 3], 0.988969, 1e-5); // z = 10: 1 / (1 + e^-4.5 + e^-10 + e^-16.5)
        }
    }

    @Test
    public void forwardBackwardGivesFiniteGradientsToBackboneAndGenerators() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray[] in = batch(m);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                DetrOutputs out = model.forward(new ParameterStore(m, false), in[0], in[1], null, true);
                NDArray loss = out.logits().getNDArrayInternal().sigmoid().mean()
                        .add(out.boxes().mul(out.boxes()).mean());
                gc.backward(loss);
            }
            var tv = model.backbone().torchvisionParameters();
            assertNonZeroFinite(tv.get("conv1.weight"), "backbone conv1");
            assertNonZeroFinite(tv.get("layer4.0.conv1.weight"), "backbone layer4");
            for (int s = 0; s < 2; s++) {
                AdaMixerStage stage = model.stages().get(s);
                assertNonZeroFinite(stage.sampling().offsetGenerator().getParameters().get("weight"), "offsets " + s);
                assertNonZeroFinite(stage.mixing().generator().getParameters().get("weight"), "mixing " + s);
            }
            assertNonZeroFinite(model.queryContentParameter(), "query content");
        }
    }

    private static void assertNonZeroFinite(Parameter p, String what) {
        try (NDArray g = p.getArray().getGradient()) {
            double norm = 0;
            for (float x : g.toFloatArray()) {
                assertTrue(Float.isFinite(x), what);
                norm += x * x;
            }
            assertTrue(norm > 0, what + " gradient is zero");
        }
    }

    @Test
    public void extraGroupIsIsolatedAndDecodedLikeMainQueries() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray[] in = batch(m);
            ParameterStore ps = new ParameterStore(m, false);
            DetrOutputs plain = model.forward(ps, in[0], in[1], null, false);
            NDArray random = m.randomNormal(new Shape(3, D)).concat(m.randomUniform(0.2f, 0.8f, new Shape(3, 4)), 1);
            DetrOutputs both = model.forward(ps, in[0], in[1], random, false);
            assertEquals(both.logits().sub(plain.logits()).abs().max().getFloat(), 0f, 1e-6);
            assertEquals(both.boxes().sub(plain.boxes()).abs().max().getFloat(), 0f, 1e-6);
            assertEquals(both.hidden().sub(plain.hidden()).abs().max().getFloat(), 0f, 1e-5);
            DetrOutputs.ExtraGroup extra = both.extra();
            assertNotNull(extra);
            assertEquals(extra.logits().getShape(), new Shape(2, B, 3, K));
            assertEquals(extra.boxes().getShape(), new Shape(2, B, 3, 4));
            assertEquals(extra.hidden().getShape(), new Shape(2, B, 3, D));
            assertEquals(extra.referencePoints().getShape(), new Shape(B, 3, 2));
            // the model's own queries as the extra group are decoded exactly like the main group
            DetrOutputs twin = model.forward(ps, in[0], in[1], model.queryGroup(m), false);
            assertEquals(twin.extra().logits().sub(plain.logits()).abs().max().getFloat(), 0f, 1e-5);
            assertEquals(twin.extra().boxes().sub(plain.boxes()).abs().max().getFloat(), 0f, 1e-5);
            DetrOutputs back = DetrOutputs.fromNDList(both.toNDList());
            assertEquals(back.extra().boxes().getShape(), new Shape(2, B, 3, 4));
        }
    }

    @Test
    public void modelManagerDoesNotGrowOverSteps() {
        int[] counts = new int[3];
        for (int step = 0; step < counts.length; step++) {
            try (NDManager m = NDManager.newBaseManager()) {
                NDArray[] in = batch(m);
                NDArray extra = model.queryGroup(m);
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    DetrOutputs out = model.forward(new ParameterStore(m, false), in[0], in[1], extra, true);
                    gc.backward(out.logits().mean().add(out.extra().logits().mean()).add(out.boxes().mean()));
                }
                model.forward(new ParameterStore(m, false), in[0], in[1], null, false).toNDList();
            }
            counts[step] = modelManager.getManagedArrays().size();
        }
        for (int step = 1; step < counts.length; step++) {
            assertEquals(counts[step], counts[0], "managed arrays per step " + Arrays.toString(counts));
        }
    }
}
