package org.detrkd.baselines.fitnet;

import static org.testng.Assert.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;

import org.testng.annotations.Test;

import java.util.List;

public class FitNetTest {

    private static final int B = 2;
    private static final int[] CS = {3, 2};
    private static final int[] CT = {4, 4};
    private static final int[][] HW = {{3, 2}, {2, 2}};

    private static FitNet build(NDManager m) {
        FitNet f = FitNet.builder().setStudentChannels(CS).setTeacherChannels(CT).build();
        f.initialize(m, DataType.FLOAT32);
        for (int l = 0; l < CS.length; l++) {
            KdTestSupport.set(f.adapter(l).conv().getParameters().get("weight"),
                    KdTestSupport.wave(CT[l] * CS[l], l, 0.5));
            KdTestSupport.set(f.adapter(l).conv().getParameters().get("bias"), KdTestSupport.wave(CT[l], l + 3, 0.1));
        }
        return f;
    }

    private static List<NDArray> feats(NDManager m, int[] channels, double phase) {
        return List.of(KdTestSupport.waveArray(m, new Shape(B, channels[0], HW[0][0], HW[0][1]), phase, 1.0),
                KdTestSupport.waveArray(m, new Shape(B, channels[1], HW[1][0], HW[1][1]), phase + 1, 2.0));
    }

    /** Naive: per level mean over B, Ct, H, W of (W s + b - t)^2, summed over levels. */
    private static double naive(FitNet f, List<NDArray> s, List<NDArray> t) {
        double total = 0;
        for (int l = 0; l < CS.length; l++) {
            float[] w = f.adapter(l).conv().getParameters().get("weight").getArray().toFloatArray();
            float[] bias = f.adapter(l).conv().getParameters().get("bias").getArray().toFloatArray();
            float[] sv = s.get(l).toFloatArray();
            float[] tv = t.get(l).toFloatArray();
            int hw = HW[l][0] * HW[l][1];
            double sum = 0;
            for (int b = 0; b < B; b++) {
                for (int o = 0; o < CT[l]; o++) {
                    for (int p = 0; p < hw; p++) {
                        double y = bias[o];
                        for (int i = 0; i < CS[l]; i++) {
                            y += w[o * CS[l] + i] * sv[(b * CS[l] + i) * hw + p];
                        }
                        double d = y - tv[(b * CT[l] + o) * hw + p];
                        sum += d * d;
                    }
                }
            }
            total += sum / (B * CT[l] * hw);
        }
        return total;
    }

    @Test
    public void matchesNaiveMse() {
        try (NDManager m = NDManager.newBaseManager()) {
            FitNet f = build(m);
            List<NDArray> s = feats(m, CS, 0.1);
            List<NDArray> t = feats(m, CT, 0.7);
            var terms = f.losses(new ParameterStore(m, false), s, t, true);
            assertEquals(terms.keySet().iterator().next(), FitNet.LOSS);
            KdTestSupport.assertClose(terms.get(FitNet.LOSS).getFloat(), naive(f, s, t), 1e-5, 1e-6, "fitnet");
            assertEquals(f.settings().weightDict().get(FitNet.LOSS), 1.0, 0.0);
        }
    }

    @Test
    public void gradientsReachAdaptersAndStudentOnly() {
        try (NDManager m = NDManager.newBaseManager()) {
            FitNet f = build(m);
            ParameterStore ps = new ParameterStore(m, false);
            KdTestSupport.assertGradientFlow(f, feats(m, CS, 0.1), feats(m, CT, 0.7),
                    a -> f.losses(ps, a[0], a[1], true), "adapter0", "adapter1");
        }
    }

    @Test
    public void modelManagerStaysFlat() {
        try (NDManager m = NDManager.newBaseManager()) {
            FitNet f = build(m);
            ParameterStore ps = new ParameterStore(m, false);
            int[] sizes = new int[3];
            for (int step = 0; step < 3; step++) {
                try (NDManager batch = m.newSubManager()) {
                    KdTestSupport.assertGradientFlow(f, feats(batch, CS, step), feats(batch, CT, step + 0.5),
                            a -> f.losses(ps, a[0], a[1], true));
                }
                sizes[step] = m.getManagedArrays().size();
            }
            assertEquals(sizes[2], sizes[1], "arrays left on the model manager");
        }
    }

    @Test
    public void rejectsWrongChannels() {
        try (NDManager m = NDManager.newBaseManager()) {
            FitNet f = build(m);
            var ex = org.testng.Assert.expectThrows(IllegalArgumentException.class,
                    () -> f.losses(new ParameterStore(m, false), feats(m, CT, 0), feats(m, CT, 0), true));
            assertEquals(ex.getMessage(), "level 0: expected 3 student and 4 teacher channels, got (2, 4, 3, 2) and "
                    + "(2, 4, 3, 2)");
        }
    }
}
