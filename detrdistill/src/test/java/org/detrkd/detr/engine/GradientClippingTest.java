package org.detrkd.detr.engine;

import static org.testng.Assert.assertEquals;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import org.testng.annotations.Test;

public class GradientClippingTest {

    @Test
    public void globalNormAndScalingMatchHandComputation() {
        try (NDManager m = NDManager.newBaseManager()) {
            float[] a = {0.3f, -0.4f, 0.1f, 0.2f};
            float[] b = {1.2f, 0f, -0.5f};
            NDList grads = new NDList(m.create(a, new Shape(2, 2)), m.create(b));
            // 0.09 + 0.16 + 0.01 + 0.04 + 1.44 + 0.25 = 1.99
            double expected = Math.sqrt(1.99);
            float norm = GradientClipping.globalNorm(grads).getFloat();
            assertEquals(norm, expected, 1e-6);
            double coef = GradientClipping.clip(grads, norm, 0.1);
            assertEquals(coef, 0.1 / (norm + 1e-6), 1e-12);
            float[] ca = grads.get(0).toFloatArray();
            float[] cb = grads.get(1).toFloatArray();
            for (int i = 0; i < a.length; i++) {
                assertEquals(ca[i], a[i] * coef, 1e-7);
            }
            for (int i = 0; i < b.length; i++) {
                assertEquals(cb[i], b[i] * coef, 1e-7);
            }
            assertEquals(GradientClipping.globalNorm(grads).getFloat(), 0.1, 1e-6);
        }
    }

    @Test
    public void belowThresholdOrDisabledLeavesGradientsUntouched() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDList grads = new NDList(m.create(new float[] {0.03f, 0.04f}));
            assertEquals(GradientClipping.globalNorm(grads).getFloat(), 0.05f, 1e-7);
            assertEquals(GradientClipping.clip(grads, 0.05, 0.1), 1.0);
            assertEquals(GradientClipping.clip(grads, 0.05, 0), 1.0);
            assertEquals(grads.get(0).toFloatArray(), new float[] {0.03f, 0.04f});
        }
    }
}
