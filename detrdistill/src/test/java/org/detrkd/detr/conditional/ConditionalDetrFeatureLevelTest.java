package org.detrkd.detr.conditional;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;

import org.detrkd.detr.backbone.ResNetSpec;
import org.detrkd.detr.model.DetrOutputs;
import org.testng.annotations.Test;

public class ConditionalDetrFeatureLevelTest {

    private static final int B = 2;
    private static final Shape IMAGES = new Shape(B, 3, 64, 64);

    private static ConditionalDetrConfig tiny(int level) {
        return new ConditionalDetrConfig(3, 16, 2, 32, 1, 2, 5, 0f, ResNetSpec.miniStudent(), level);
    }

    @Test
    public void c4ReadsTheStride16MapWithAProjectionFromItsChannels() {
        Engine.getInstance().setRandomSeed(3);
        try (NDManager mm = NDManager.newBaseManager(); NDManager m = NDManager.newBaseManager()) {
            ConditionalDetr detr = new ConditionalDetr(tiny(4));
            detr.initialize(mm, DataType.FLOAT32, IMAGES, new Shape(B, 64, 64));
            // the 1x1 projection reads C4's 64 channels of the mini student (C5 has 128)
            Shape projWeight = detr.getParameters().stream().filter(p -> p.getKey().contains("input_proj")
                    && p.getKey().endsWith("weight")).findFirst().orElseThrow().getValue().getArray().getShape();
            assertEquals(projWeight, new Shape(16, 64, 1, 1));
            NDList list = detr.forward(new ParameterStore(m, false), new NDList(m.randomNormal(IMAGES)), false);
            Shape[] declared = detr.getOutputShapes(new Shape[] {IMAGES, new Shape(B, 64, 64)});
            assertEquals(list.size(), declared.length);
            for (int i = 0; i < list.size(); i++) {
                assertEquals(list.get(i).getShape(), declared[i], "output " + i);
            }
            DetrOutputs out = DetrOutputs.fromNDList(list);
            assertEquals(out.memory().getShape(), new Shape(B, 16, 16)); // 64 / 16 = 4 -> 4 x 4 positions
            assertEquals(out.memoryHeight(), 4);
            assertEquals(out.memoryWidth(), 4);
            assertEquals(out.logits().getShape(), new Shape(2, B, 5, 3));
            assertTrue(Float.isFinite(out.boxes().sum().getFloat()));
        }
    }

    @Test
    public void c5StaysTheDefaultOfTheOldConstructorAndLevelsAreChecked() {
        ConditionalDetrConfig old = new ConditionalDetrConfig(3, 16, 2, 32, 1, 2, 5, 0f, ResNetSpec.miniStudent());
        assertEquals(old.featureLevel(), 5);
        assertEquals(old.featureIndex(), 2);
        assertEquals(old.withFeatureLevel(4).featureIndex(), 1);
        assertEquals(old.withFeatureLevel(4).withQueries(7).featureLevel(), 4);
        assertEquals(old.withFeatureLevel(4).withLayers(0, 1).featureLevel(), 4);
        IllegalArgumentException e = expectThrows(IllegalArgumentException.class, () -> tiny(3));
        assertEquals(e.getMessage(), "featureLevel must be 4 (C4) or 5 (C5), got 3");
    }
}
