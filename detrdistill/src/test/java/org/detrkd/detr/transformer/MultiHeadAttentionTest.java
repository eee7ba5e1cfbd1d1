package org.detrkd.detr.transformer;

import static org.testng.Assert.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;

import org.testng.annotations.Test;

public class MultiHeadAttentionTest {

    private static final int B = 2;
    private static final int L = 3;
    private static final int S = 4;
    private static final int E = 4;
    private static final int DV = 6;
    private static final int H = 2;

    private static MultiHeadAttention build(NDManager m, boolean proj) {
        MultiHeadAttention mha = MultiHeadAttention.builder().setEmbedDim(E).setHeads(H).optValueDim(DV)
                .optInputProjections(proj).build();
        mha.initialize(m, DataType.FLOAT32, new Shape(B, L, E), new Shape(B, S, E), new Shape(B, S, DV));
        return mha;
    }

    /** y = x W^T + b for one row. */
    private static double[] linear(MultiHeadAttention mha, String child, double[] x) {
        Linear lin = null;
        for (var pair : mha.getChildren()) {
            if (pair.getKey().endsWith(child)) {
                lin = (Linear) pair.getValue();
            }
        }
        NDArray w = lin.getParameters().get("weight").getArray();
        NDArray b = lin.getParameters().get("bias").getArray();
        int out = (int) w.getShape().get(0);
        int in = (int) w.getShape().get(1);
        float[] wv = w.toFloatArray();
        float[] bv = b.toFloatArray();
        double[] y = new double[out];
        for (int o = 0; o < out; o++) {
            y[o] = bv[o];
            for (int i = 0; i < in; i++) {
                y[o] += wv[o * in + i] * x[i];
            }
        }
        return y;
    }

    private static double[] row(float[] flat, int offset, int n) {
        double[] r = new double[n];
        for (int i = 0; i < n; i++) {
            r[i] = flat[offset + i];
        }
        return r;
    }

    /** Per-head loop in double precision; pad[b][s] / block[l][s] exclude keys. */
    private static double[][][] naive(MultiHeadAttention mha, boolean proj, float[] q, float[] k, float[] v,
            boolean[][] pad, boolean[][] block) {
        double[][][] out = new double[B][L][];
        int dh = E / H;
        int dv = DV / H;
        for (int b = 0; b < B; b++) {
            double[][] qs = new double[L][];
            double[][] ks = new double[S][];
            double[][] vs = new double[S][];
            for (int l = 0; l < L; l++) {
                qs[l] = row(q, (b * L + l) * E, E);
                qs[l] = proj ? linear(mha, "q_proj", qs[l]) : qs[l];
            }
            for (int s = 0; s < S; s++) {
                ks[s] = proj ? linear(mha, "k_proj", row(k, (b * S + s) * E, E)) : row(k, (b * S + s) * E, E);
                vs[s] = proj ? linear(mha, "v_proj", row(v, (b * S + s) * DV, DV)) : row(v, (b * S + s) * DV, DV);
            }
            for (int l = 0; l < L; l++) {
                double[] concat = new double[DV];
                for (int h = 0; h < H; h++) {
                    double[] sc = new double[S];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int s = 0; s < S; s++) {
                        double dot = 0;
                        for (int j = 0; j < dh; j++) {
                            dot += qs[l][h * dh + j] * ks[s][h * dh + j];
                        }
                        sc[s] = (pad != null && pad[b][s]) || (block != null && block[l][s])
                                ? Double.NEGATIVE_INFINITY : dot / Math.sqrt(dh);
                        max = Math.max(max, sc[s]);
                    }
                    double z = 0;
                    for (int s = 0; s < S; s++) {
                        sc[s] = Math.exp(sc[s] - max);
                        z += sc[s];
                    }
                    for (int s = 0; s < S; s++) {
                        for (int j = 0; j < dv; j++) {
                            concat[h * dv + j] += sc[s] / z * vs[s][h * dv + j];
                        }
                    }
                }
                out[b][l] = linear(mha, "out_proj", concat);
            }
        }
        return out;
    }

    private static void assertMatches(NDArray actual, double[][][] expected) {
        float[] a = actual.toFloatArray();
        for (int b = 0; b < B; b++) {
            for (int l = 0; l < L; l++) {
                for (int j = 0; j < DV; j++) {
                    assertEquals(a[(b * L + l) * DV + j], expected[b][l][j], 1e-5, "b" + b + " l" + l + " j" + j);
                }
            }
        }
    }

    @Test
    public void matchesNaivePerHeadLoopWithAndWithoutProjectionsAndMasks() {
        boolean[][] pad = {{false, false, true, true}, {false, false, false, true}};
        boolean[][] block = {{false, true, false, false}, {false, false, false, false}, {true, false, false, false}};
        for (boolean proj : new boolean[] {true, false}) {
            try (NDManager m = NDManager.newBaseManager()) {
                MultiHeadAttention mha = build(m, proj);
                NDArray q = m.randomNormal(new Shape(B, L, E));
                NDArray k = m.randomNormal(new Shape(B, S, E));
                NDArray v = m.randomNormal(new Shape(B, S, DV));
                ParameterStore ps = new ParameterStore(m, false);
                float[] qf = q.toFloatArray();
                float[] kf = k.toFloatArray();
                float[] vf = v.toFloatArray();
                assertMatches(mha.attend(ps, q, k, v, null, null, false, false).output(),
                        naive(mha, proj, qf, kf, vf, null, null));
                NDArray padArr = m.create(new boolean[] {false, false, true, true, false, false, false, true},
                        new Shape(B, S));
                NDArray blockArr = m.create(new boolean[] {false, true, false, false, false, false, false, false,
                    true, false, false, false}, new Shape(L, S));
                MultiHeadAttention.Result r = mha.attend(ps, q, k, v, padArr, blockArr, false, true);
                assertMatches(r.output(), naive(mha, proj, qf, kf, vf, pad, block));
                assertEquals(r.weights().getShape(), new Shape(B, H, L, S));
                // excluded keys get exactly zero weight, rows sum to one
                assertEquals(r.weights().get(new NDIndex("0, :, :, 2:")).sum().getFloat(), 0f);
                assertEquals(r.weights().get(new NDIndex(":, :, 0, 1")).sum().getFloat(), 0f);
                assertEquals(r.weights().sum(new int[] {3}).sub(1).abs().max().getFloat(), 0f, 1e-6);
            }
        }
    }

    @Test
    public void changingPaddedKeysAndValuesChangesNothing() {
        try (NDManager m = NDManager.newBaseManager()) {
            MultiHeadAttention mha = build(m, true);
            ParameterStore ps = new ParameterStore(m, false);
            NDArray q = m.randomNormal(new Shape(B, L, E));
            NDArray k = m.randomNormal(new Shape(B, S, E));
            NDArray v = m.randomNormal(new Shape(B, S, DV));
            NDArray pad = m.create(new boolean[] {false, false, false, true, false, true, false, true}, new Shape(B, S));
            NDArray before = mha.attend(ps, q, k, v, pad, null, false, false).output();
            NDArray k2 = k.duplicate();
            NDArray v2 = v.duplicate();
            k2.set(new NDIndex("0, 3"), 1000f);
            v2.set(new NDIndex("1, 1"), -500f);
            v2.set(new NDIndex("1, 3"), 77f);
            NDArray after = mha.attend(ps, q, k2, v2, pad, null, false, false).output();
            assertEquals(after.toFloatArray(), before.toFloatArray());
            // an unpadded key does change the output
            k2.set(new NDIndex("0, 0"), 3f);
            NDArray changed = mha.attend(ps, q, k2, v2, pad, null, false, false).output();
            assertEquals(changed.sub(before).abs().max().getFloat() > 1e-4, true);
        }
    }
}
