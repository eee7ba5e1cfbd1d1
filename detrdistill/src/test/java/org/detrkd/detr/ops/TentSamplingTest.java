package org.detrkd.detr.ops;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;

import org.detrkd.detr.adamixer.AdaptiveSampling;
import org.testng.annotations.Test;

import java.util.Random;
import java.util.function.Function;

/**
 * {@link TentSampling} (the dense path) against the gather path, in float64: outputs and the gradients with respect
 * to the value, the locations and the weights, for multi-scale deformable attention's core and for AdaMixer's
 * adaptive sampling; location gradients also against central finite differences; and the cost model's choice at the
 * sizes the presets use.
 */
public class TentSamplingTest {

    private static final SpatialShapes SHAPES = SpatialShapes.of(5, 7, 3, 4, 2, 2, 1, 1);

    @Test
    public void deformableCoreDenseEqualsGatherWithGradients() {
        int n = 2;
        int lq = 6;
        int heads = 3;
        int d = 4;
        int p = 2;
        int levels = SHAPES.levels();
        Random r = new Random(5);
        double[] value = gaussian(r, n * SHAPES.total() * heads * d);
        double[] loc = uniform(r, n * lq * heads * levels * p * 2, -0.3, 1.3); // some outside the maps
        double[] attn = uniform(r, n * lq * heads * levels * p, 0, 1);
        double[] gradOut = gaussian(r, n * lq * heads * d);
        Shape vs = new Shape(n, SHAPES.total(), heads, d);
        Shape ls = new Shape(n, lq, heads, levels, p, 2);
        Shape as = new Shape(n, lq, heads, levels, p);
        Function<NDArray[], NDArray> core = in -> MultiScaleDeformableAttention.core(in[0], SHAPES, in[1], in[2]);
        double[][] gather = run("gather", core, value, vs, loc, ls, attn, as, gradOut);
        double[][] dense = run("dense", core, value, vs, loc, ls, attn, as, gradOut);
        String[] names = {"output", "grad value", "grad locations", "grad weights"};
        for (int i = 0; i < names.length; i++) {
            Goldens.assertClose(dense[i], gather[i], 1e-12, 1e-12, "dense vs gather: " + names[i]);
        }
        assertTrue(maxAbs(gather[2]) > 0.1, "location gradients are not trivially zero");
        double[] numeric = numericLocationGradient(core, value, vs, loc, ls, attn, as, gradOut);
        Goldens.assertClose(dense[2], numeric, 1e-6, 1e-6, "dense location gradient vs finite differences");
    }

    @Test
    public void adaMixerSamplingDenseEqualsGatherWithGradients() {
        int b = 2;
        int queries = 3;
        int groups = 2;
        int cg = 3;
        int p = 4;
        SpatialShapes shapes = SpatialShapes.of(8, 8, 4, 4, 2, 2);
        int[] strides = {8, 16, 32};
        int levels = shapes.levels();
        Random r = new Random(9);
        double[] value = gaussian(r, b * shapes.total() * groups * cg);
        double[] xy = uniform(r, b * queries * groups * p * 2, -10, 74); // pixels of a 64-px image, some outside
        double[] weights = uniform(r, b * queries * groups * levels * p, 0, 1);
        double[] gradOut = gaussian(r, b * queries * groups * p * cg);
        Shape vs = new Shape(b, shapes.total(), groups * cg);
        Shape xs = new Shape(b, queries, groups, p, 2);
        Shape ws = new Shape(b, queries, groups, levels, p);
        Function<NDArray[], NDArray> sample = in -> AdaptiveSampling.sample(in[0], shapes, strides, in[1], in[2]);
        double[][] gather = run("gather", sample, value, vs, xy, xs, weights, ws, gradOut);
        double[][] dense = run("dense", sample, value, vs, xy, xs, weights, ws, gradOut);
        String[] names = {"output", "grad value", "grad positions", "grad level weights"};
        for (int i = 0; i < names.length; i++) {
            Goldens.assertClose(dense[i], gather[i], 1e-12, 1e-12, "dense vs gather: " + names[i]);
        }
    }

    @Test
    public void costModelPicksDenseOnlyForSmallMaps() {
        String before = System.clearProperty(TentSampling.PATH_PROPERTY);
        try {
            // mini Deformable DETR: 128-px images, 4 levels (16x16 .. 2x2), 4 points, 32 channels per head
            assertTrue(TentSampling.preferred(SpatialShapes.of(16, 16, 8, 8, 4, 4, 2, 2), 4, 32));
            // paper Deformable DETR: 800 x 1066 images, 4 levels, 4 points, 32 channels per head
            assertFalse(TentSampling.preferred(SpatialShapes.of(100, 134, 50, 67, 25, 34, 13, 17), 4, 32));
            // AdaMixer mini: one point per row over 3 levels: the gather path (measured faster there)
            assertFalse(TentSampling.preferred(SpatialShapes.of(16, 16, 8, 8, 4, 4), 1, 32));
        } finally {
            MultiScaleDeformableAttentionCoreTest.restore(before);
        }
    }

    /** Output and the three input gradients of {@code sum(f(value, loc, weights) * gradOut)} on one path. */
    private static double[][] run(String path, Function<NDArray[], NDArray> f, double[] value, Shape vs,
            double[] loc, Shape ls, double[] weights, Shape ws, double[] gradOut) {
        String before = System.setProperty(TentSampling.PATH_PROPERTY, path);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray v = m.create(value, vs);
            NDArray l = m.create(loc, ls);
            NDArray w = m.create(weights, ws);
            v.setRequiresGradient(true);
            l.setRequiresGradient(true);
            w.setRequiresGradient(true);
            NDArray y;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                y = f.apply(new NDArray[] {v, l, w});
                gc.backward(y.mul(m.create(gradOut, y.getShape())).sum());
            }
            assertEquals(y.getDataType(), DataType.FLOAT64);
            return new double[][] {y.toDoubleArray(), v.getGradient().toDoubleArray(),
                l.getGradient().toDoubleArray(), w.getGradient().toDoubleArray()};
        } finally {
            MultiScaleDeformableAttentionCoreTest.restore(before);
        }
    }

    private static double[] numericLocationGradient(Function<NDArray[], NDArray> f, double[] value, Shape vs,
            double[] loc, Shape ls, double[] weights, Shape ws, double[] gradOut) {
        double h = 1e-6;
        double[] grad = new double[loc.length];
        String before = System.setProperty(TentSampling.PATH_PROPERTY, "dense");
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray v = m.create(value, vs);
            NDArray w = m.create(weights, ws);
            for (int i = 0; i < loc.length; i++) {
                double[] plus = loc.clone();
                double[] minus = loc.clone();
                plus[i] += h;
                minus[i] -= h;
                double fp = dot(f.apply(new NDArray[] {v, m.create(plus, ls), w}).toDoubleArray(), gradOut);
                double fm = dot(f.apply(new NDArray[] {v, m.create(minus, ls), w}).toDoubleArray(), gradOut);
                grad[i] = (fp - fm) / (2 * h);
            }
        } finally {
            MultiScaleDeformableAttentionCoreTest.restore(before);
        }
        return grad;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    private static double maxAbs(double[] a) {
        double m = 0;
        for (double x : a) {
            m = Math.max(m, Math.abs(x));
        }
        return m;
    }

    private static double[] gaussian(Random r, int n) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) {
            a[i] = r.nextGaussian();
        }
        return a;
    }

    private static double[] uniform(Random r, int n, double lo, double hi) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) {
            a[i] = lo + (hi - lo) * r.nextDouble();
        }
        return a;
    }
}
