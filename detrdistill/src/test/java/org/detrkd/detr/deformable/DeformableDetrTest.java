package org.detrkd.detr.deformable;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertNotNull;
import static org.testng.Assert.assertNull;
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

import org.detrkd.detr.model.DetrOutputs;
import org.detrkd.detr.ops.SpatialShapes;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.Test;

import java.util.Arrays;

public class DeformableDetrTest {

    private static final int K = 5;
    private static final int Q = 10;
    private static final int B = 2;
    private static final int D = 128;
    private static final Shape IMAGES = new Shape(B, 3, 64, 64);

    private NDManager modelManager;
    private DeformableDetr detr;
    private DeformableDetr refined;

    @BeforeClass
    public void build() {
        Engine.getInstance().setRandomSeed(7);
        modelManager = NDManager.newBaseManager();
        DeformableDetrConfig c = DeformableDetrConfig.miniStudent(K).withLayers(1, 2).withQueries(Q);
        detr = new DeformableDetr(c);
        detr.initialize(modelManager, DataType.FLOAT32, IMAGES, new Shape(B, 64, 64));
        refined = new DeformableDetr(c.withBoxRefine(true));
        refined.initialize(modelManager, DataType.FLOAT32, IMAGES, new Shape(B, 64, 64));
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
            NDList list = detr.forward(new ParameterStore(m, false), new NDList(in[0], in[1]), false);
            Shape[] declared = detr.getOutputShapes(new Shape[] {IMAGES, new Shape(B, 64, 64)});
            assertEquals(list.size(), declared.length);
            for (int i = 0; i < list.size(); i++) {
                assertEquals(list.get(i).getShape(), declared[i], list.get(i).getName());
            }
            DetrOutputs out = DetrOutputs.fromNDList(list);
            // 4 levels on 64 px: C3 8x8, C4 4x4, C5 2x2, extra 1x1 -> S = 85
            assertEquals(out.logits().getShape(), new Shape(2, B, Q, K));
            assertEquals(out.boxes().getShape(), new Shape(2, B, Q, 4));
            assertEquals(out.hidden().getShape(), new Shape(2, B, Q, D));
            assertEquals(out.queryEmbed().getShape(), new Shape(Q, 2 * D));
            assertEquals(out.referencePoints().getShape(), new Shape(B, Q, 2));
            assertEquals(out.memory().getShape(), new Shape(B, 85, D));
            assertEquals(out.encoderInput().getShape(), new Shape(B, 85, D));
            assertEquals(out.memoryHeight(), 85);
            assertEquals(out.memoryWidth(), 1);
            assertEquals(detr.levelShapes(out), SpatialShapes.of(8, 8, 4, 4, 2, 2, 1, 1));
            assertEquals(out.features().size(), 3);
            assertEquals(out.features().get(0).getShape(), new Shape(B, 32, 8, 8));
            // level masks of image 2 (nearest resize): 8x8 has columns 5-7 and rows 4-7 padded; 4x4 columns 3 and
            // rows 2-3; 2x2 row 1; 1x1 valid
            boolean[] mask = out.memoryMask().get("1").toBooleanArray();
            int padded = 0;
            for (boolean v : mask) {
                padded += v ? 1 : 0;
            }
            assertEquals(padded, (64 - 5 * 4) + (16 - 3 * 2) + 2);
            assertFalse(mask[84]);
            assertNull(out.extra());
            assertTrue(out.boxes().min().getFloat() >= 0f && out.boxes().max().getFloat() <= 1f);
        }
    }

    @Test
    public void otherLevelCountsUseTheCoarsestBackboneLevelsThenExtraLevels() {
        int[][] expected = {{1, 2, 2}, {3, 8, 8, 4, 4, 2, 2}, {5, 8, 8, 4, 4, 2, 2, 1, 1, 1, 1}};
        for (int[] e : expected) {
            try (NDManager model = NDManager.newBaseManager(); NDManager m = NDManager.newBaseManager()) {
                DeformableDetr d = new DeformableDetr(DeformableDetrConfig.miniStudent(K).withLayers(1, 1)
                        .withQueries(4).withAttention(e[0], 2, 2));
                d.initialize(model, DataType.FLOAT32, IMAGES, new Shape(B, 64, 64));
                NDArray[] in = batch(m);
                DetrOutputs out = d.forward(new ParameterStore(m, false), in[0], in[1], null, false);
                SpatialShapes shapes = SpatialShapes.of(Arrays.copyOfRange(e, 1, e.length));
                assertEquals(d.levelShapes(out), shapes);
                assertEquals(out.memory().getShape(), new Shape(B, shapes.total(), D));
                assertEquals(d.getOutputShapes(new Shape[] {IMAGES})[DetrOutputs.MEMORY], out.memory().getShape());
            }
        }
    }

    @Test
    public void initialisationPriors() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray[] in = batch(m);
            DetrOutputs out = detr.forward(new ParameterStore(m, false), in[0], in[1], null, false);
            // class bias prior 0.01 with a ... logits are bias + W h, so check the bias itself
            int checked = 0;
            for (Pair<String, Parameter> p : detr.getParameters()) {
                String name = p.getKey();
                float[] v = p.getValue().getArray().toFloatArray();
                if (name.contains("class_embed") && name.endsWith("bias")) {
                    for (float x : v) {
                        assertEquals(x, -Math.log(99), 1e-6);
                    }
                    checked++;
                } else if (name.contains("attention_weights") || name.contains("sampling_offsets")
                        && name.endsWith("weight")) {
                    assertEquals(p.getValue().getArray().abs().sum().getFloat(), 0f, name);
                    checked++;
                }
            }
            // 1 class head + 3 deformable attentions x (attention_weights weight, bias + sampling_offsets weight)
            assertEquals(checked, 1 + 3 * 3);
            // zero last box layer: centre = reference points, size = sigmoid(-2)
            NDArray centre = out.boxes().get("..., :2");
            assertEquals(centre.sub(out.referencePoints().expandDims(0)).abs().max().getFloat(), 0f, 1e-6);
            assertEquals(out.boxes().get("..., 2:").sub((float) (1 / (1 + Math.exp(2)))).abs().max().getFloat(), 0f,
                    1e-6);
        }
    }

    @Test
    public void forwardBackwardReachesBackboneOffsetsAndAttentionWeights() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray[] in = batch(m);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                DetrOutputs out = detr.forward(new ParameterStore(m, false), in[0], in[1], null, true);
                NDArray loss = out.logits().getNDArrayInternal().sigmoid().mean()
                        .add(out.boxes().mul(out.boxes()).mean());
                gc.backward(loss);
            }
            int offsets = 0;
            int weights = 0;
            for (Pair<String, Parameter> p : detr.getParameters()) {
                String name = p.getKey();
                if (!p.getValue().requiresGradient()) {
                    continue;
                }
                boolean offset = name.contains("sampling_offsets") && name.endsWith("weight");
                boolean attention = name.contains("attention_weights") && name.endsWith("weight");
                boolean stem = name.startsWith("01backbone") && name.contains("conv1") && !name.contains("layer");
                // (level_embed only reaches the loss through the zero-initialised offset and attention-weight
                // projections of the encoder, so its first gradient is exactly zero, as in the reference)
                if (offset || attention || stem || name.contains("query_embed")) {
                    try (NDArray g = p.getValue().getArray().getGradient()) {
                        float[] v = g.toFloatArray();
                        double norm = 0;
                        for (float x : v) {
                            assertTrue(Float.isFinite(x), name);
                            norm += x * x;
                        }
                        assertTrue(norm > 0, name + " gradient is zero");
                    }
                    offsets += offset ? 1 : 0;
                    weights += attention ? 1 : 0;
                }
            }
            assertEquals(offsets, 3);
            assertEquals(weights, 3);
            var tv = detr.backbone().torchvisionParameters();
            try (NDArray g = tv.get("conv1.weight").getArray().getGradient()) {
                assertTrue(g.abs().sum().getFloat() > 0);
            }
        }
    }

    @Test
    public void extraGroupIsIsolatedPlainAndRefined() {
        for (DeformableDetr model : new DeformableDetr[] {detr, refined}) {
            try (NDManager m = NDManager.newBaseManager()) {
                NDArray[] in = batch(m);
                ParameterStore ps = new ParameterStore(m, false);
                DetrOutputs plain = model.forward(ps, in[0], in[1], null, false);
                DetrOutputs both = model.forward(ps, in[0], in[1], m.randomNormal(new Shape(3, 2 * D)), false);
                // scores and boxes within 1e-6; logits (magnitude ~5) within 1e-6 relative: the batched products
                // differ in shape with the extra rows, so float rounding may differ in the last bit
                assertEquals(sigmoid(both.logits()).sub(sigmoid(plain.logits())).abs().max().getFloat(), 0f, 1e-6);
                float scale = Math.max(1f, plain.logits().abs().max().getFloat());
                assertEquals(both.logits().sub(plain.logits()).abs().max().getFloat(), 0f, 1e-6 * scale);
                assertEquals(both.boxes().sub(plain.boxes()).abs().max().getFloat(), 0f, 1e-6);
                assertEquals(both.hidden().sub(plain.hidden()).abs().max().getFloat(), 0f, 1e-5);
                DetrOutputs.ExtraGroup extra = both.extra();
                assertNotNull(extra);
                assertEquals(extra.logits().getShape(), new Shape(2, B, 3, K));
                assertEquals(extra.boxes().getShape(), new Shape(2, B, 3, 4));
                assertEquals(extra.hidden().getShape(), new Shape(2, B, 3, D));
                assertEquals(extra.referencePoints().getShape(), new Shape(B, 3, 2));
                // the model's own queries as the extra group are decoded exactly like the main group
                NDArray own = plain.queryEmbed();
                DetrOutputs twin = model.forward(ps, in[0], in[1], own, false);
                assertEquals(twin.extra().logits().sub(plain.logits()).abs().max().getFloat(), 0f, 1e-5);
                assertEquals(twin.extra().boxes().sub(plain.boxes()).abs().max().getFloat(), 0f, 1e-5);
                DetrOutputs back = DetrOutputs.fromNDList(both.toNDList());
                assertEquals(back.extra().boxes().getShape(), new Shape(2, B, 3, 4));
            }
        }
    }

    private static NDArray sigmoid(NDArray x) {
        return x.getNDArrayInternal().sigmoid();
    }

    @Test
    public void refinementMakesLaterStagesRefineEarlierBoxes() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray[] in = batch(m);
            DetrOutputs out = refined.forward(new ParameterStore(m, false), in[0], in[1], null, false);
            // stage 1's head starts with a zero last layer and size bias 0: its boxes are stage 0's boxes
            assertEquals(out.boxes().get(1).sub(out.boxes().get(0)).abs().max().getFloat(), 0f, 1e-5);
            assertEquals(out.boxes().get(0).get("..., 2:").sub((float) (1 / (1 + Math.exp(2)))).abs().max()
                    .getFloat(), 0f, 1e-6);
        }
        int classHeads = 0;
        for (Pair<String, Parameter> p : refined.getParameters()) {
            classHeads += p.getKey().contains("class_embed") && p.getKey().endsWith("bias") ? 1 : 0;
        }
        assertEquals(classHeads, 2);
    }

    @Test
    public void lowLearningRateParametersAreBackboneOffsetsAndReferencePoints() {
        int low = 0;
        int backbone = 0;
        for (Pair<String, Parameter> p : detr.getParameters()) {
            String name = p.getKey();
            boolean expected = name.startsWith("01backbone") || name.contains("sampling_offsets")
                    || name.contains("reference_points");
            assertEquals(detr.isLowLrParameter(p.getValue()), expected, name);
            low += expected ? 1 : 0;
            backbone += detr.isBackboneParameter(p.getValue()) ? 1 : 0;
        }
        assertEquals(backbone, detr.backbone().getParameters().size());
        // backbone + 3 x sampling_offsets (weight, bias) + reference_points (weight, bias)
        assertEquals(low, backbone + 6 + 2);
        assertFalse(detr.isLowLrParameter(detr.queryEmbedParameter()));
        assertEquals(detr.lowLrParameterNames().size(), low);
    }

    @Test
    public void saveAndLoadParametersReproducesOutputs() throws Exception {
        // move the class biases off their prior so that re-applied priors would show
        for (Pair<String, Parameter> p : refined.getParameters()) {
            if (p.getKey().contains("class_embed") && p.getKey().endsWith("bias")) {
                NDArray a = p.getValue().getArray();
                a.setRequiresGradient(false);
                a.addi(0.5f);
                a.setRequiresGradient(true);
            }
        }
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.io.DataOutputStream out = new java.io.DataOutputStream(bytes)) {
            refined.saveParameters(out);
        }
        try (NDManager other = NDManager.newBaseManager(); NDManager m = NDManager.newBaseManager()) {
            DeformableDetr copy = new DeformableDetr(refined.config());
            try (java.io.DataInputStream in = new java.io.DataInputStream(
                    new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
                copy.loadParameters(other, in);
            }
            // initialising after loading keeps the loaded values (no re-applied priors)
            copy.initialize(other, DataType.FLOAT32, IMAGES, new Shape(B, 64, 64));
            NDArray[] in = batch(m);
            DetrOutputs a = refined.forward(new ParameterStore(m, false), in[0], in[1], null, false);
            DetrOutputs b = copy.forward(new ParameterStore(m, false), in[0], in[1], null, false);
            assertEquals(b.logits().toFloatArray(), a.logits().toFloatArray());
            assertEquals(b.boxes().toFloatArray(), a.boxes().toFloatArray());
        }
    }

    @Test
    public void badExtraQueryWidthIsRejected() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray[] in = batch(m);
            try {
                detr.forward(new ParameterStore(m, false), in[0], in[1], m.zeros(new Shape(3, D)), false);
                throw new AssertionError("expected a failure");
            } catch (IllegalArgumentException e) {
                assertEquals(e.getMessage(), "extra queries must be [G, 2d = 256] (positions then contents), got (3, 128)");
            }
        }
    }

    @Test
    public void modelManagerDoesNotGrowOverSteps() {
        int[] counts = new int[3];
        for (int step = 0; step < counts.length; step++) {
            try (NDManager m = NDManager.newBaseManager()) {
                NDArray[] in = batch(m);
                NDArray extra = refined.queryEmbedParameter().getArray(); // a parameter-owned extra group
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    DetrOutputs out = refined.forward(new ParameterStore(m, false), in[0], in[1], extra, true);
                    gc.backward(out.logits().mean().add(out.extra().boxes().mean()));
                }
                refined.forward(new ParameterStore(m, false), in[0], in[1], null, false).toNDList();
            }
            counts[step] = modelManager.getManagedArrays().size();
        }
        for (int step = 1; step < counts.length; step++) {
            assertEquals(counts[step], counts[0], "managed arrays per step " + Arrays.toString(counts));
        }
    }
}
