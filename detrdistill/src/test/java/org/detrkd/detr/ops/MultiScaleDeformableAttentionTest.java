package org.detrkd.detr.ops;

import static org.testng.Assert.assertEquals;
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
import ai.djl.util.PairList;

import org.testng.annotations.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The {@link MultiScaleDeformableAttention} block: the reference initialisation, the whole layer (projections,
 * softmax, 2-d and box reference points, padding mask) against a double-precision loop computation, gradients into
 * every parameter, and a model manager that stays flat over repeated forward/backward.
 */
public class MultiScaleDeformableAttentionTest {

    private static final int B = 2;
    private static final int Q = 4;
    private static final int D_MODEL = 8;
    private static final int HEADS = 2;
    private static final int POINTS = 3;
    private static final SpatialShapes SHAPES = SpatialShapes.of(4, 5, 2, 3);
    private static final int LEVELS = SHAPES.levels();
    private static final int S = SHAPES.total();

    private static MultiScaleDeformableAttention build(NDManager m) {
        MultiScaleDeformableAttention attn = new MultiScaleDeformableAttention(D_MODEL, LEVELS, HEADS, POINTS);
        attn.initialize(m, DataType.FLOAT32, new Shape(B, Q, D_MODEL), new Shape(B, Q, LEVELS, 2),
                new Shape(B, S, D_MODEL));
        return attn;
    }

    private static Parameter param(MultiScaleDeformableAttention attn, String child, String kind) {
        for (Pair<String, Parameter> p : attn.getParameters()) {
            if (p.getKey().contains(child) && p.getKey().endsWith("_" + kind)) {
                return p.getValue();
            }
        }
        throw new AssertionError("no parameter " + child + " " + kind + " in " + attn.getParameters().keys());
    }

    @Test
    public void initialisationFollowsTheReference() {
        try (NDManager m = NDManager.newBaseManager()) {
            MultiScaleDeformableAttention attn = new MultiScaleDeformableAttention(16, 2, 8, 2);
            attn.initialize(m, DataType.FLOAT32, new Shape(1, 3, 16), new Shape(1, 3, 2, 2), new Shape(1, 9, 16));
            float[] bias = param(attn, "sampling_offsets", "bias").getArray().toFloatArray();
            // [M=8, L=2, P=2, 2]: head k points along 45k degrees, scaled so the larger component is 1, times p + 1
            double[][] dirs = {{1, 0}, {1, 1}, {0, 1}, {-1, 1}, {-1, 0}, {-1, -1}, {0, -1}, {1, -1}};
            for (int k = 0; k < 8; k++) {
                for (int l = 0; l < 2; l++) {
                    for (int p = 0; p < 2; p++) {
                        int i = ((k * 2 + l) * 2 + p) * 2;
                        assertEquals(bias[i], dirs[k][0] * (p + 1), 1e-6, "x of head " + k + " point " + p);
                        assertEquals(bias[i + 1], dirs[k][1] * (p + 1), 1e-6, "y of head " + k + " point " + p);
                    }
                }
            }
            for (String[] zero : new String[][] {{"sampling_offsets", "weight"}, {"attention_weights", "weight"},
                {"attention_weights", "bias"}, {"value_proj", "bias"}, {"output_proj", "bias"}}) {
                assertEquals(param(attn, zero[0], zero[1]).getArray().abs().max().getFloat(), 0f, String.join(" ",
                        zero));
            }
            // xavier-uniform: within sqrt(6 / (fan_in + fan_out)) and not all zero
            float[] wv = param(attn, "value_proj", "weight").getArray().toFloatArray();
            double bound = Math.sqrt(6.0 / 32);
            double maxAbs = 0;
            for (float v : wv) {
                maxAbs = Math.max(maxAbs, Math.abs(v));
            }
            assertTrue(maxAbs <= bound && maxAbs > bound / 2, "value_proj range " + maxAbs + " vs " + bound);
            // so every query samples ref + grid / (W, H) with uniform weights 1 / (L * P)
            SpatialShapes shapes = SpatialShapes.of(2, 4, 1, 1);
            NDArray query = m.randomNormal(new Shape(1, 3, 16));
            NDArray ref = m.randomUniform(0, 1, new Shape(1, 3, 2, 2));
            NDArray input = m.randomNormal(new Shape(1, 9, 16));
            MultiScaleDeformableAttention.Result r = attn.apply(new ParameterStore(m, false), query, ref, input,
                    shapes, null, false);
            float[] w = r.attentionWeights().toFloatArray();
            for (float v : w) {
                assertEquals(v, 0.25f, 1e-7);
            }
            float[] loc = r.samplingLocations().toFloatArray(); // [1, 3, 8, 2, 2, 2]
            float[] refs = ref.toFloatArray();
            for (int q = 0; q < 3; q++) {
                for (int k = 0; k < 8; k++) {
                    for (int l = 0; l < 2; l++) {
                        for (int p = 0; p < 2; p++) {
                            int i = (((q * 8 + k) * 2 + l) * 2 + p) * 2;
                            int g = ((k * 2 + l) * 2 + p) * 2;
                            assertEquals(loc[i], refs[(q * 2 + l) * 2] + bias[g] / shapes.width(l), 1e-6);
                            assertEquals(loc[i + 1], refs[(q * 2 + l) * 2 + 1] + bias[g + 1] / shapes.height(l), 1e-6);
                        }
                    }
                }
            }
        }
    }

    /** Random values in every parameter, so offsets and attention weights depend on the query. */
    private static void randomise(MultiScaleDeformableAttention attn, Random r, double scale) {
        for (Pair<String, Parameter> p : attn.getParameters()) {
            NDArray a = p.getValue().getArray();
            float[] v = new float[(int) a.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (scale * r.nextGaussian());
            }
            a.set(v);
        }
    }

    /** y = x W^T + b over rows of x {@code [rows, in]}. */
    private static double[] linear(MultiScaleDeformableAttention attn, String child, float[] x, int rows) {
        float[] w = param(attn, child, "weight").getArray().toFloatArray();
        float[] b = param(attn, child, "bias").getArray().toFloatArray();
        int out = b.length;
        int in = w.length / out;
        double[] y = new double[rows * out];
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < out; o++) {
                double acc = b[o];
                for (int i = 0; i < in; i++) {
                    acc += (double) w[o * in + i] * x[r * in + i];
                }
                y[r * out + o] = acc;
            }
        }
        return y;
    }

    private static float[] toFloat(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }

    /** The whole layer as loops in double precision. */
    private static double[] naive(MultiScaleDeformableAttention attn, float[] query, float[] ref, int refDim,
            float[] input, boolean[] pad) {
        double[] value = linear(attn, "value_proj", input, B * S);
        for (int i = 0; i < B * S; i++) {
            if (pad != null && pad[i]) {
                for (int c = 0; c < D_MODEL; c++) {
                    value[i * D_MODEL + c] = 0;
                }
            }
        }
        double[] off = linear(attn, "sampling_offsets", query, B * Q); // [B, Q, M, L, P, 2]
        double[] logits = linear(attn, "attention_weights", query, B * Q); // [B, Q, M, L*P]
        int lp = LEVELS * POINTS;
        double[] weights = new double[logits.length];
        for (int g = 0; g < logits.length / lp; g++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < lp; j++) {
                max = Math.max(max, logits[g * lp + j]);
            }
            double sum = 0;
            for (int j = 0; j < lp; j++) {
                sum += Math.exp(logits[g * lp + j] - max);
            }
            for (int j = 0; j < lp; j++) {
                weights[g * lp + j] = Math.exp(logits[g * lp + j] - max) / sum;
            }
        }
        double[] loc = new double[off.length];
        for (int bq = 0; bq < B * Q; bq++) {
            for (int k = 0; k < HEADS; k++) {
                for (int l = 0; l < LEVELS; l++) {
                    int r = (bq * LEVELS + l) * refDim;
                    for (int p = 0; p < POINTS; p++) {
                        int i = (((bq * HEADS + k) * LEVELS + l) * POINTS + p) * 2;
                        if (refDim == 2) {
                            loc[i] = ref[r] + off[i] / SHAPES.width(l);
                            loc[i + 1] = ref[r + 1] + off[i + 1] / SHAPES.height(l);
                        } else {
                            loc[i] = ref[r] + off[i] / POINTS * ref[r + 2] * 0.5;
                            loc[i + 1] = ref[r + 1] + off[i + 1] / POINTS * ref[r + 3] * 0.5;
                        }
                    }
                }
            }
        }
        double[] sampled = ScalarBilinear.core(value, B, HEADS, D_MODEL / HEADS, SHAPES, loc, weights, Q, POINTS);
        double[] out = linear(attn, "output_proj", toFloat(sampled), B * Q);
        return out;
    }

    @Test
    public void layerMatchesLoopsWithPointsBoxesAndPadding() {
        Random r = new Random(3);
        try (NDManager m = NDManager.newBaseManager()) {
            MultiScaleDeformableAttention attn = build(m);
            randomise(attn, r, 0.5);
            NDArray query = m.randomNormal(new Shape(B, Q, D_MODEL));
            NDArray input = m.randomNormal(new Shape(B, S, D_MODEL));
            boolean[] pad = new boolean[B * S];
            for (int s = 0; s < S; s++) {
                pad[S + s] = s % 5 == 4 || s >= 20; // image 1: last column of level 0 and all of level 1 padded
            }
            NDArray padMask = m.create(pad, new Shape(B, S));
            ParameterStore ps = new ParameterStore(m, false);
            for (int refDim : new int[] {2, 4}) {
                NDArray ref = m.randomUniform(0.1f, 0.9f, new Shape(B, Q, LEVELS, refDim));
                for (boolean masked : new boolean[] {false, true}) {
                    NDArray y = attn.apply(ps, query, ref, input, SHAPES, masked ? padMask : null, false).output();
                    assertEquals(y.getShape(), new Shape(B, Q, D_MODEL));
                    double[] expected = naive(attn, query.toFloatArray(), ref.toFloatArray(), refDim,
                            input.toFloatArray(), masked ? pad : null);
                    float[] got = y.toFloatArray();
                    double[] gotD = new double[got.length];
                    for (int i = 0; i < got.length; i++) {
                        gotD[i] = got[i];
                    }
                    Goldens.assertClose(gotD, expected, 1e-5, 1e-4, "layer, ref dim " + refDim + ", mask " + masked);
                }
                // the Block interface, with the level shapes as a parameter, gives the same output
                NDList viaBlock = attn.forward(ps, new NDList(query, ref, input, padMask), false,
                        new PairList<>(List.of("spatial_shapes"), List.<Object>of(SHAPES)));
                assertEquals(viaBlock.get(0).toFloatArray(),
                        attn.apply(ps, query, ref, input, SHAPES, padMask, false).output().toFloatArray());
                // padded positions do not matter: changing the input there leaves the output unchanged
                NDArray changed = input.add(padMask.toType(DataType.FLOAT32, false).expandDims(2).mul(100));
                float[] a = attn.apply(ps, query, ref, input, SHAPES, padMask, false).output().toFloatArray();
                float[] b = attn.apply(ps, query, ref, changed, SHAPES, padMask, false).output().toFloatArray();
                for (int i = 0; i < a.length; i++) {
                    assertEquals(b[i], a[i], 1e-6, "padding independence at " + i);
                }
            }
        }
    }

    @Test
    public void everyParameterGetsAGradientAndTheModelManagerStaysFlat() {
        Random r = new Random(4);
        try (NDManager model = NDManager.newBaseManager()) {
            MultiScaleDeformableAttention attn = build(model);
            randomise(attn, r, 0.3);
            List<Integer> counts = new ArrayList<>();
            for (int step = 0; step < 5; step++) {
                try (NDManager batch = model.newSubManager()) {
                    NDArray query = batch.randomNormal(new Shape(B, Q, D_MODEL));
                    NDArray input = batch.randomNormal(new Shape(B, S, D_MODEL));
                    NDArray ref = batch.randomUniform(0.1f, 0.9f, new Shape(B, Q, LEVELS, step % 2 == 0 ? 2 : 4));
                    NDArray pad = batch.zeros(new Shape(B, S), DataType.BOOLEAN);
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray y = attn.apply(new ParameterStore(batch, false), query, ref, input, SHAPES, pad, true)
                                .output();
                        gc.backward(y.square().mean());
                    }
                    if (step == 0) {
                        for (Pair<String, Parameter> p : attn.getParameters()) {
                            float g = p.getValue().getArray().getGradient().abs().sum().getFloat();
                            assertTrue(g > 0, "no gradient reached " + p.getKey());
                        }
                    }
                }
                counts.add(model.getManagedArrays().size());
            }
            for (int i = 1; i < counts.size(); i++) {
                assertEquals(counts.get(i), counts.get(0), "model manager arrays per step " + counts);
            }
        }
    }
}
