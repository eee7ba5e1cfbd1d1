package org.detrkd.detr.ops;

import static org.testng.Assert.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;

import org.testng.annotations.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** {@link GroupNorm} against a naive loop computation, its gradients, and a flat model manager. */
public class GroupNormTest {

    private static final int N = 2;
    private static final int C = 6;
    private static final int G = 3;
    private static final int H = 2;
    private static final int W = 3;

    /** Naive group norm in double precision. */
    private static double[] naive(double[] x, double[] weight, double[] bias, double eps) {
        int per = C / G * H * W;
        double[] y = new double[x.length];
        for (int n = 0; n < N; n++) {
            for (int g = 0; g < G; g++) {
                int from = (n * C + g * C / G) * H * W;
                double mean = 0;
                for (int i = 0; i < per; i++) {
                    mean += x[from + i];
                }
                mean /= per;
                double var = 0;
                for (int i = 0; i < per; i++) {
                    var += (x[from + i] - mean) * (x[from + i] - mean);
                }
                var /= per;
                for (int i = 0; i < per; i++) {
                    int c = g * C / G + i / (H * W);
                    y[from + i] = (x[from + i] - mean) / Math.sqrt(var + eps) * weight[c] + bias[c];
                }
            }
        }
        return y;
    }

    @Test
    public void matchesNaiveComputationAndFiniteDifferences() {
        Random r = new Random(8);
        double[] x = new double[N * C * H * W];
        for (int i = 0; i < x.length; i++) {
            x[i] = 3 * r.nextGaussian() + i % 5;
        }
        double[] weight = new double[C];
        double[] bias = new double[C];
        for (int c = 0; c < C; c++) {
            weight[c] = 0.5 + r.nextDouble();
            bias[c] = r.nextGaussian();
        }
        try (NDManager m = NDManager.newBaseManager()) {
            GroupNorm norm = new GroupNorm(G, C);
            norm.initialize(m, DataType.FLOAT64, new Shape(N, C, H, W));
            // the initial affine parameters are weight 1, bias 0
            double[] ones = new double[C];
            java.util.Arrays.fill(ones, 1);
            NDArray xs = m.create(x, new Shape(N, C, H, W));
            ParameterStore ps = new ParameterStore(m, false);
            Goldens.assertClose(norm.apply(ps, xs, false).toDoubleArray(), naive(x, ones, new double[C], 1e-5),
                    1e-12, 1e-12, "initial group norm");
            norm.getParameters().get("weight").getArray().set(weight);
            norm.getParameters().get("bias").getArray().set(bias);
            double[] expected = naive(x, weight, bias, 1e-5);
            Goldens.assertClose(norm.apply(ps, xs, false).toDoubleArray(), expected, 1e-12, 1e-12, "group norm");
            NDArray y32 = norm.apply(ps, xs.toType(DataType.FLOAT32, false), false);
            assertEquals(y32.getShape(), new Shape(N, C, H, W));

            // gradients: d/dx against finite differences, d/dweight = sum xhat * g, d/dbias = sum g
            NDArray gw = m.randomNormal(new Shape(N, C, H, W)).toType(DataType.FLOAT64, false);
            xs.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(norm.apply(ps, xs, true).mul(gw).sum());
            }
            double[] gx = xs.getGradient().toDoubleArray();
            double[] gws = gw.toDoubleArray();
            double step = 1e-6;
            double[] fd = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                double[] plus = x.clone();
                double[] minus = x.clone();
                plus[i] += step;
                minus[i] -= step;
                fd[i] = (dot(naive(plus, weight, bias, 1e-5), gws) - dot(naive(minus, weight, bias, 1e-5), gws))
                        / (2 * step);
            }
            Goldens.assertClose(gx, fd, 1e-7, 1e-6, "dx vs finite differences");
            double[] xhat = naive(x, ones, new double[C], 1e-5);
            double[] dWeight = new double[C];
            double[] dBias = new double[C];
            for (int i = 0; i < x.length; i++) {
                int c = i / (H * W) % C;
                dWeight[c] += xhat[i] * gws[i];
                dBias[c] += gws[i];
            }
            Goldens.assertClose(norm.getParameters().get("weight").getArray().getGradient().toDoubleArray(), dWeight,
                    1e-12, 1e-10, "dweight");
            Goldens.assertClose(norm.getParameters().get("bias").getArray().getGradient().toDoubleArray(), dBias,
                    1e-12, 1e-10, "dbias");
        }
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    @Test
    public void modelManagerStaysFlat() {
        try (NDManager model = NDManager.newBaseManager()) {
            GroupNorm norm = new GroupNorm(2, 4);
            norm.initialize(model, DataType.FLOAT32, new Shape(3, 4, 5));
            List<Integer> counts = new ArrayList<>();
            for (int step = 0; step < 4; step++) {
                try (NDManager batch = model.newSubManager()) {
                    NDArray x = batch.randomNormal(new Shape(3, 4, 5));
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        gc.backward(norm.apply(new ParameterStore(batch, false), x, true).square().sum());
                    }
                }
                counts.add(model.getManagedArrays().size());
            }
            assertEquals(counts.get(3), counts.get(1), "model manager arrays per step " + counts);
            assertEquals(counts.get(2), counts.get(1), "model manager arrays per step " + counts);
        }
    }

    @Test
    public void rejectsChannelsNotDivisibleByGroups() {
        try {
            new GroupNorm(4, 6);
            throw new AssertionError("expected an exception");
        } catch (IllegalArgumentException e) {
            assertEquals(e.getMessage(), "channels 6 must be divisible by groups 4");
        }
    }
}
