package org.detrkd.detr.ops;

import static org.testng.Assert.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;

import com.fasterxml.jackson.databind.JsonNode;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testng.annotations.DataProvider;
import org.testng.annotations.Test;

import java.io.IOException;
import java.util.Locale;
import java.util.Random;

/**
 * {@link MultiScaleDeformableAttention#core} against Deformable DETR's {@code ms_deform_attn_core_pytorch} goldens
 * (output and gradients with respect to value, locations and weights), a scalar loop reference on random inputs, and
 * the per-level composition of {@link BilinearSampler} the reference code uses.
 */
public class MultiScaleDeformableAttentionCoreTest {

    private static final Logger LOG = LoggerFactory.getLogger(MultiScaleDeformableAttentionCoreTest.class);

    /** Both sampling paths: the gather of four neighbours and {@link TentSampling}'s dense matrices. */
    @DataProvider
    public static Object[][] paths() {
        return new Object[][] {{"gather"}, {"dense"}};
    }

    @Test(dataProvider = "paths")
    public void matchesMsDeformAttnCorePytorchGolden(String path) throws IOException {
        String before = System.setProperty(TentSampling.PATH_PROPERTY, path);
        try {
            matchesGolden();
        } finally {
            restore(before);
        }
    }

    static void restore(String before) {
        if (before == null) {
            System.clearProperty(TentSampling.PATH_PROPERTY);
        } else {
            System.setProperty(TentSampling.PATH_PROPERTY, before);
        }
    }

    private static void matchesGolden() throws IOException {
        JsonNode g = Goldens.load("ms_deform_attn.json");
        JsonNode tol = g.get("tolerance");
        double rtol = tol.get("rtol").asDouble();
        double atol = tol.get("atol").asDouble();
        double atolLoc = tol.get("atol_grad_sampling_locations").asDouble();
        JsonNode in = g.get("inputs");
        JsonNode out = g.get("outputs");
        JsonNode hw = in.get("value_spatial_shapes").get("data");
        int[] pairs = new int[hw.size()];
        for (int i = 0; i < pairs.length; i++) {
            pairs[i] = hw.get(i).asInt();
        }
        SpatialShapes shapes = SpatialShapes.of(pairs);
        JsonNode starts = in.get("level_start_index").get("data");
        for (int l = 0; l < shapes.levels(); l++) {
            assertEquals(shapes.start(l), starts.get(l).asInt(), "level_start_index " + l);
        }
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray value = Goldens.array(m, in.get("value"));
            NDArray loc = Goldens.array(m, in.get("sampling_locations"));
            NDArray weights = Goldens.array(m, in.get("attention_weights"));
            NDArray gw = Goldens.array(m, in.get("grad_weights"));
            value.setRequiresGradient(true);
            loc.setRequiresGradient(true);
            weights.setRequiresGradient(true);
            NDArray y;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                y = MultiScaleDeformableAttention.core(value, shapes, loc, weights);
                gc.backward(y.mul(gw).sum());
            }
            assertEquals(y.getShape(), Goldens.shape(out.get("output")));
            double dOut = Goldens.assertClose(y.toFloatArray(), Goldens.floats(out.get("output")), atol, rtol,
                    "output");
            double dValue = Goldens.assertClose(value.getGradient().toFloatArray(),
                    Goldens.floats(out.get("grad_value")), atol, rtol, "grad_value");
            double dLoc = Goldens.assertClose(loc.getGradient().toFloatArray(),
                    Goldens.floats(out.get("grad_sampling_locations")), atolLoc, rtol, "grad_sampling_locations");
            double dWeights = Goldens.assertClose(weights.getGradient().toFloatArray(),
                    Goldens.floats(out.get("grad_attention_weights")), atol, rtol, "grad_attention_weights");
            LOG.info(String.format(Locale.ROOT, "ms_deform_attn golden max abs diff: output %.3g, grad_value %.3g, "
                    + "grad_sampling_locations %.3g, grad_attention_weights %.3g", dOut, dValue, dLoc, dWeights));
        }
    }

    @Test(dataProvider = "paths")
    public void matchesScalarLoopsAndPerLevelGridSample(String path) {
        String before = System.setProperty(TentSampling.PATH_PROPERTY, path);
        try {
            matchesScalarLoops();
        } finally {
            restore(before);
        }
    }

    private static void matchesScalarLoops() {
        int n = 2;
        int lq = 5;
        int heads = 2;
        int d = 3;
        int p = 3;
        SpatialShapes shapes = SpatialShapes.of(4, 6, 3, 3, 1, 2);
        int levels = shapes.levels();
        int s = shapes.total();
        Random r = new Random(21);
        double[] value = new double[n * s * heads * d];
        for (int i = 0; i < value.length; i++) {
            value[i] = r.nextGaussian();
        }
        double[] loc = new double[n * lq * heads * levels * p * 2];
        for (int i = 0; i < loc.length; i++) {
            loc[i] = -0.2 + 1.4 * r.nextDouble(); // some outside the maps
        }
        loc[0] = 0;
        loc[1] = 1; // a corner
        double[] attn = new double[loc.length / 2];
        for (int i = 0; i < attn.length; i++) {
            attn[i] = r.nextDouble();
        }
        double[] expected = ScalarBilinear.core(value, n, heads, d, shapes, loc, attn, lq, p);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray v = m.create(value, new Shape(n, s, heads, d));
            NDArray l = m.create(loc, new Shape(n, lq, heads, levels, p, 2));
            NDArray a = m.create(attn, new Shape(n, lq, heads, levels, p));
            NDArray y = MultiScaleDeformableAttention.core(v, shapes, l, a);
            assertEquals(y.getShape(), new Shape(n, lq, heads * d));
            Goldens.assertClose(y.toDoubleArray(), expected, 1e-12, 1e-12, "core vs scalar loops (float64)");
            NDArray y32 = MultiScaleDeformableAttention.core(v.toType(DataType.FLOAT32, false), shapes,
                    l.toType(DataType.FLOAT32, false), a.toType(DataType.FLOAT32, false));
            Goldens.assertClose(toDouble(y32.toFloatArray()), expected, 2e-6, 1e-5, "core vs scalar loops (float32)");
            Goldens.assertClose(perLevel(v, shapes, l, a).toDoubleArray(), expected, 1e-12, 1e-12,
                    "per-level grid_sample composition");
        }
    }

    /** The reference's structure: per level, value as [N*M, D, H, W] sampled by grid_sample, weighted and summed. */
    private static NDArray perLevel(NDArray value, SpatialShapes shapes, NDArray loc, NDArray attn) {
        Shape vs = value.getShape();
        Shape ls = loc.getShape();
        long n = vs.get(0);
        long m = vs.get(2);
        long d = vs.get(3);
        long lq = ls.get(1);
        long p = ls.get(4);
        NDArray out = null;
        for (int l = 0; l < shapes.levels(); l++) {
            int h = shapes.height(l);
            int w = shapes.width(l);
            NDArray vl = value.get(":, " + shapes.start(l) + ":" + (shapes.start(l) + h * w))
                    .transpose(0, 2, 3, 1).reshape(n * m, d, h, w);
            NDArray gl = loc.get(":, :, :, " + l).transpose(0, 2, 1, 3, 4).reshape(n * m, lq * p, 2);
            NDArray sampled = BilinearSampler.sample(vl, gl).reshape(n * m, d, lq, p);
            NDArray al = attn.get(":, :, :, " + l).transpose(0, 2, 1, 3).reshape(n * m, 1, lq, p);
            NDArray part = sampled.mul(al).sum(new int[] {3}); // [N*M, D, Lq]
            out = out == null ? part : out.add(part);
        }
        return out.reshape(n, m * d, lq).transpose(0, 2, 1);
    }

    private static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }
}
