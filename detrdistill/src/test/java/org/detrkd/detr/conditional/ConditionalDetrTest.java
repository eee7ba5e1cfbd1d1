package org.detrkd.detr.conditional;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertNotNull;
import static org.testng.Assert.assertNull;
import static org.testng.Assert.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;

import org.detrkd.detr.model.DetrOutputs;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.Test;

public class ConditionalDetrTest {

    private static final int K = 5;
    private static final int Q = 10;
    private static final int B = 2;
    private static final Shape IMAGES = new Shape(B, 3, 64, 64);

    private NDManager modelManager;
    private ConditionalDetr detr;

    @BeforeClass
    public void build() {
        Engine.getInstance().setRandomSeed(7);
        modelManager = NDManager.newBaseManager();
        detr = new ConditionalDetr(ConditionalDetrConfig.miniStudent(K).withLayers(2, 2).withQueries(Q)
                .withFeatureLevel(5)); // the paper's C5 (the mini presets read C4; see ConditionalDetrFeatureLevelTest)
        detr.initialize(modelManager, DataType.FLOAT32, IMAGES, new Shape(B, 64, 64));
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
            assertEquals(out.logits().getShape(), new Shape(2, B, Q, K));
            assertEquals(out.boxes().getShape(), new Shape(2, B, Q, 4));
            assertEquals(out.hidden().getShape(), new Shape(2, B, Q, 128));
            assertEquals(out.queryEmbed().getShape(), new Shape(Q, 128));
            assertEquals(out.referencePoints().getShape(), new Shape(B, Q, 2));
            assertEquals(out.memory().getShape(), new Shape(B, 4, 128));
            assertEquals(out.memoryHeight(), 2);
            assertEquals(out.memoryWidth(), 2);
            assertEquals(out.features().get(0).getShape(), new Shape(B, 32, 8, 8));
            assertEquals(out.features().get(2).getShape(), new Shape(B, 128, 2, 2));
            // C5 mask of image 2 by nearest resizing (pixel 32 * i): column 1 samples x = 32 (valid), row 1 samples
            // y = 32 (padding)
            assertEquals(out.memoryMask().toBooleanArray(),
                    new boolean[] {false, false, false, false, false, false, true, true});
            assertEquals(out.featureMasks().get(0).get(new NDIndex("1, 0")).toBooleanArray(),
                    new boolean[] {false, false, false, false, false, true, true, true});
            assertNull(out.extra());
            assertEquals(out.predLogits().getShape(), new Shape(B, Q, K));
        }
    }

    @Test
    public void initialisationPriorsClassBiasAndBoxesAtReferencePoints() {
        float[] bias = detr.getChildren().get(detr.getChildren().size() - 2).getValue().getParameters().get("bias")
                .getArray().toFloatArray();
        assertEquals(bias.length, K);
        for (float v : bias) {
            assertEquals(v, -Math.log(99), 1e-6);
        }
        // transformer matrices are xavier-uniform: |w| <= sqrt(6 / (128 + 128)) (He-normal would exceed it)
        int checked = 0;
        for (var pair : detr.getParameters()) {
            if (pair.getKey().contains("encoder.layers.0") && pair.getKey().contains("q_proj")
                    && pair.getKey().endsWith("weight")) {
                assertTrue(pair.getValue().getArray().abs().max().getFloat() <= Math.sqrt(6.0 / 256) + 1e-6);
                checked++;
            }
        }
        assertEquals(checked, 1);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray[] in = batch(m);
            DetrOutputs out = detr.forward(new ParameterStore(m, false), in[0], in[1], null, false);
            // zero-initialised last box layer: centre = reference, size = sigmoid(0)
            NDArray centre = out.boxes().get("..., :2");
            NDArray ref = out.referencePoints().expandDims(0);
            assertEquals(centre.sub(ref).abs().max().getFloat(), 0f, 1e-6);
            assertEquals(out.boxes().get("..., 2:").sub(0.5f).abs().max().getFloat(), 0f);
        }
    }

    @Test
    public void forwardBackwardGivesFiniteGradientsDownToTheBackbone() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray[] in = batch(m);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                DetrOutputs out = detr.forward(new ParameterStore(m, false), in[0], in[1], null, true);
                NDArray loss = out.logits().getNDArrayInternal().sigmoid().mean()
                        .add(out.boxes().mul(out.boxes()).mean());
                gc.backward(loss);
            }
            String[] names = {"conv1.weight", "layer1.0.conv1.weight", "layer4.0.bn2.weight"};
            var tv = detr.backbone().torchvisionParameters();
            for (String name : names) {
                NDArray g = tv.get(name).getArray().getGradient();
                float[] v = g.toFloatArray();
                double norm = 0;
                for (float x : v) {
                    assertTrue(Float.isFinite(x), name);
                    norm += x * x;
                }
                assertTrue(norm > 0, name + " gradient is zero");
                g.close();
            }
            NDArray qg = detr.queryEmbedParameter().getArray().getGradient();
            assertTrue(qg.abs().sum().getFloat() > 0);
            qg.close();
        }
    }

    @Test
    public void extraGroupIsIsolatedAndDecodedLikeMainQueries() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray[] in = batch(m);
            ParameterStore ps = new ParameterStore(m, false);
            DetrOutputs plain = detr.forward(ps, in[0], in[1], null, false);
            // a random extra group of 3 queries changes nothing in the main outputs
            DetrOutputs both = detr.forward(ps, in[0], in[1], m.randomNormal(new Shape(3, 128)), false);
            assertEquals(both.logits().sub(plain.logits()).abs().max().getFloat(), 0f, 1e-6);
            assertEquals(both.boxes().sub(plain.boxes()).abs().max().getFloat(), 0f, 1e-6);
            assertEquals(both.hidden().sub(plain.hidden()).abs().max().getFloat(), 0f, 1e-5);
            DetrOutputs.ExtraGroup extra = both.extra();
            assertNotNull(extra);
            assertEquals(extra.logits().getShape(), new Shape(2, B, 3, K));
            assertEquals(extra.boxes().getShape(), new Shape(2, B, 3, 4));
            assertEquals(extra.hidden().getShape(), new Shape(2, B, 3, 128));
            assertEquals(extra.referencePoints().getShape(), new Shape(B, 3, 2));
            // the model's own queries as the extra group are decoded exactly like the main group
            NDArray own = detr.queryEmbedParameter().getArray().duplicate();
            own.attach(m);
            DetrOutputs twin = detr.forward(ps, in[0], in[1], own, false);
            assertEquals(twin.extra().logits().sub(plain.logits()).abs().max().getFloat(), 0f, 1e-5);
            assertEquals(twin.extra().boxes().sub(plain.boxes()).abs().max().getFloat(), 0f, 1e-5);
            // round trip through the NDList layout keeps the group
            DetrOutputs back = DetrOutputs.fromNDList(both.toNDList());
            assertEquals(back.extra().boxes().getShape(), new Shape(2, B, 3, 4));
            assertEquals(back.memoryHeight(), 2);
            assertEquals(back.features().size(), 3);
        }
    }

    @Test
    public void backboneParametersAreRecognisedById() {
        int inBackbone = 0;
        for (var p : detr.getParameters().values()) {
            if (detr.isBackboneParameter(p)) {
                inBackbone++;
            }
        }
        assertEquals(inBackbone, detr.backbone().getParameters().size());
        assertTrue(detr.isBackboneParameter(detr.backbone().torchvisionParameters().get("layer3.0.conv2.weight")));
        assertTrue(!detr.isBackboneParameter(detr.queryEmbedParameter()));
    }

    @Test
    public void saveAndLoadParametersReproducesOutputs() throws Exception {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.io.DataOutputStream out = new java.io.DataOutputStream(bytes)) {
            detr.saveParameters(out);
        }
        try (NDManager other = NDManager.newBaseManager(); NDManager m = NDManager.newBaseManager()) {
            ConditionalDetr copy = new ConditionalDetr(detr.config());
            try (java.io.DataInputStream in = new java.io.DataInputStream(
                    new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
                copy.loadParameters(other, in);
            }
            // initialising after loading keeps the loaded values (no re-applied priors)
            copy.initialize(other, DataType.FLOAT32, IMAGES, new Shape(B, 64, 64));
            NDArray[] in = batch(m);
            DetrOutputs a = detr.forward(new ParameterStore(m, false), in[0], in[1], null, false);
            DetrOutputs b = copy.forward(new ParameterStore(m, false), in[0], in[1], null, false);
            assertEquals(b.logits().toFloatArray(), a.logits().toFloatArray());
            assertEquals(b.boxes().toFloatArray(), a.boxes().toFloatArray());
        }
    }

    @Test
    public void isolatingMaskBlocksAcrossGroups() {
        try (NDManager m = NDManager.newBaseManager()) {
            boolean[] mask = org.detrkd.detr.model.AbstractDetector.isolatingMask(m, 2, 1).toBooleanArray();
            assertEquals(mask, new boolean[] {false, false, true, false, false, true, true, true, false});
        }
    }

    @Test
    public void modelManagerDoesNotGrowOverSteps() {
        int[] counts = new int[3];
        for (int step = 0; step < counts.length; step++) {
            try (NDManager m = NDManager.newBaseManager()) {
                NDArray[] in = batch(m);
                NDArray extra = detr.queryEmbedParameter().getArray(); // a parameter-owned extra group
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    DetrOutputs out = detr.forward(new ParameterStore(m, false), in[0], in[1], extra, true);
                    gc.backward(out.logits().mean().add(out.extra().logits().mean()));
                }
                detr.forward(new ParameterStore(m, false), in[0], in[1], null, false).toNDList();
            }
            counts[step] = modelManager.getManagedArrays().size();
        }
        for (int step = 1; step < counts.length; step++) {
            assertEquals(counts[step], counts[0], "managed arrays per step " + java.util.Arrays.toString(counts));
        }
    }
}
