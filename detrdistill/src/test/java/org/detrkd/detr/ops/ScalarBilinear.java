package org.detrkd.detr.ops;

/**
 * Scalar double-precision reference of bilinear sampling with grid_sample's conventions (align_corners=False, zero
 * padding), written as loops: the independent check of {@link BilinearSampler} and the deformable attention core.
 */
final class ScalarBilinear {

    private ScalarBilinear() {}

    /**
     * @param map one channel {@code [H, W]} row-major, read from {@code offset}
     * @param x location in [0, 1] along the width
     * @param y location in [0, 1] along the height
     * @return the bilinear sample, 0 contributions from neighbours outside the map
     */
    static double sample(double[] map, int offset, int h, int w, double x, double y) {
        double ix = x * w - 0.5;
        double iy = y * h - 0.5;
        int x0 = (int) Math.floor(ix);
        int y0 = (int) Math.floor(iy);
        double fx = ix - x0;
        double fy = iy - y0;
        double out = 0;
        for (int dy = 0; dy <= 1; dy++) {
            for (int dx = 0; dx <= 1; dx++) {
                int xx = x0 + dx;
                int yy = y0 + dy;
                if (xx >= 0 && xx < w && yy >= 0 && yy < h) {
                    double wgt = (dx == 1 ? fx : 1 - fx) * (dy == 1 ? fy : 1 - fy);
                    out += wgt * map[offset + yy * w + xx];
                }
            }
        }
        return out;
    }

    /**
     * Deformable DETR's {@code ms_deform_attn_core_pytorch} as loops.
     *
     * @param value {@code [N, S, M, D]}
     * @param loc {@code [N, Lq, M, L, P, 2]}
     * @param attn {@code [N, Lq, M, L, P]}
     * @return {@code [N, Lq, M*D]}
     */
    static double[] core(double[] value, int n, int m, int d, SpatialShapes shapes, double[] loc, double[] attn,
            int lq, int p) {
        int s = shapes.total();
        int levels = shapes.levels();
        double[] out = new double[n * lq * m * d];
        for (int b = 0; b < n; b++) {
            for (int h = 0; h < m; h++) {
                for (int c = 0; c < d; c++) {
                    for (int l = 0; l < levels; l++) {
                        int hl = shapes.height(l);
                        int wl = shapes.width(l);
                        double[] map = new double[hl * wl]; // value[b, start + i, h, c]
                        for (int i = 0; i < hl * wl; i++) {
                            map[i] = value[((b * s + shapes.start(l) + i) * m + h) * d + c];
                        }
                        for (int q = 0; q < lq; q++) {
                            for (int pt = 0; pt < p; pt++) {
                                int li = (((b * lq + q) * m + h) * levels + l) * p + pt;
                                double v = sample(map, 0, hl, wl, loc[2 * li], loc[2 * li + 1]);
                                out[((b * lq + q) * m + h) * d + c] += attn[li] * v;
                            }
                        }
                    }
                }
            }
        }
        return out;
    }
}
