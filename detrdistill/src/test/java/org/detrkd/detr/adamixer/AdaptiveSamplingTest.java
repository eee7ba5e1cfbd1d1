package org.detrkd.detr.adamixer;

import static org.testng.Assert.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import org.detrkd.detr.ops.SpatialShapes;
import org.testng.annotations.Test;

import java.util.Random;

/**
 * The 3D sampling core against a scalar reference: per level, {@code grid_sample(bilinear, zeros,
 * align_corners=False)} at {@code xy / (W_l stride_l, H_l stride_l)} on the group's channels, summed with the level
 * weights.
 */
public class AdaptiveSamplingTest {

    private static final int B = 2;
    private static final int N = 3;
    private static final int G = 2;
    private static final int P = 5;
    private static final int CG = 3;
    private static final int[] H = {4, 2};
    private static final int[] W = {6, 3};
    private static final int[] STRIDES = {8, 16};

    @Test
    public void samplingMatchesScalarBilinearPerLevelAndGroup() {
        SpatialShapes shapes = SpatialShapes.of(H[0], W[0], H[1], W[1]);
        int s = shapes.total();
        int d = G * CG;
        Random rnd = new Random(1);
        float[] value = new float[B * s * d];
        for (int i = 0; i < value.length; i++) {
            value[i] = (float) rnd.nextGaussian();
        }
        float[] xy = new float[B * N * G * P * 2];
        for (int i = 0; i < xy.length; i++) {
            // image 48 x 32 px; include points just outside the image (zero padding)
            xy[i] = (float) (rnd.nextDouble() * (i % 2 == 0 ? 56 : 40) - 4);
        }
        float[] lw = new float[B * N * G * 2 * P];
        for (int i = 0; i < lw.length; i++) {
            lw[i] = (float) rnd.nextDouble();
        }
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray out = AdaptiveSampling.sample(m.create(value, new Shape(B, s, d)), shapes, STRIDES,
                    m.create(xy, new Shape(B, N, G, P, 2)), m.create(lw, new Shape(B, N, G, 2, P)));
            assertEquals(out.getShape(), new Shape(B, N, G, P, CG));
            float[] got = out.toFloatArray();
            for (int b = 0; b < B; b++) {
                for (int n = 0; n < N; n++) {
                    for (int g = 0; g < G; g++) {
                        for (int p = 0; p < P; p++) {
                            int pt = (((b * N + n) * G + g) * P + p);
                            for (int c = 0; c < CG; c++) {
                                double expected = 0;
                                for (int l = 0; l < 2; l++) {
                                    double u = xy[2 * pt] / (W[l] * STRIDES[l]);
                                    double v = xy[2 * pt + 1] / (H[l] * STRIDES[l]);
                                    double weight = lw[(((b * N + n) * G + g) * 2 + l) * P + p];
                                    expected += weight * bilinear(value, b, s, d, shapes.start(l), H[l], W[l],
                                            g * CG + c, u, v);
                                }
                                assertEquals(got[pt * CG + c], expected, 1e-5, "point " + pt + " channel " + c);
                            }
                        }
                    }
                }
            }
        }
    }

    /** grid_sample(bilinear, zeros, align_corners=False) of one channel at (u, v) in [0, 1]. */
    private static double bilinear(float[] value, int b, int s, int d, int start, int h, int w, int ch, double u,
            double v) {
        double ix = u * w - 0.5;
        double iy = v * h - 0.5;
        int x0 = (int) Math.floor(ix);
        int y0 = (int) Math.floor(iy);
        double fx = ix - x0;
        double fy = iy - y0;
        double sum = 0;
        for (int dy = 0; dy <= 1; dy++) {
            for (int dx = 0; dx <= 1; dx++) {
                int x = x0 + dx;
                int y = y0 + dy;
                if (x < 0 || y < 0 || x >= w || y >= h) {
                    continue;
                }
                double wt = (dx == 1 ? fx : 1 - fx) * (dy == 1 ? fy : 1 - fy);
                sum += wt * value[(b * s + start + y * w + x) * d + ch];
            }
        }
        return sum;
    }
}
