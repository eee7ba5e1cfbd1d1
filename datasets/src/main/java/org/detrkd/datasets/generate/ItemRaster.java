package org.detrkd.datasets.generate;

/**
 * A grey item resized to {@code side x side} pixels, with the tight box of its non-zero pixels. Enlarging uses
 * bilinear interpolation; shrinking averages {@code k x k} bilinear samples per output pixel
 * ({@code k = ceil(source / side)}), so small items keep their mass instead of aliasing. Levels are then
 * stretched so the brightest pixel is 255: dark items (a black shirt) stay as opaque as bright ones.
 *
 * @param side output side, pixels
 * @param alpha {@code side * side} grey levels 0..255, row-major
 * @param x0 first column with a non-zero level
 * @param y0 first row with a non-zero level
 * @param x1 one past the last such column
 * @param y1 one past the last such row
 */
record ItemRaster(int side, int[] alpha, int x0, int y0, int x1, int y1) {
    /** Resizes the {@code n x n} item starting at {@code offset} of {@code src}. */
    static ItemRaster resize(byte[] src, int offset, int n, int side) {
        int k = Math.max(1, (n + side - 1) / side);
        double scale = n / (double) side;
        int[] out = new int[side * side];
        int x0 = side;
        int y0 = side;
        int x1 = 0;
        int y1 = 0;
        for (int v = 0; v < side; v++) {
            for (int u = 0; u < side; u++) {
                double sum = 0;
                for (int sy = 0; sy < k; sy++) {
                    double fy = (v + (sy + 0.5) / k) * scale - 0.5;
                    for (int sx = 0; sx < k; sx++) {
                        sum += bilinear(src, offset, n, (u + (sx + 0.5) / k) * scale - 0.5, fy);
                    }
                }
                int a = (int) Math.round(sum / (k * k));
                out[v * side + u] = a;
                if (a > 0) {
                    x0 = Math.min(x0, u);
                    y0 = Math.min(y0, v);
                    x1 = Math.max(x1, u + 1);
                    y1 = Math.max(y1, v + 1);
                }
            }
        }
        stretch(out);
        return new ItemRaster(side, out, x0, y0, x1, y1);
    }

    private static void stretch(int[] levels) {
        int max = 0;
        for (int a : levels) {
            max = Math.max(max, a);
        }
        if (max > 0 && max < 255) {
            for (int i = 0; i < levels.length; i++) {
                levels[i] = (levels[i] * 255 + max / 2) / max;
            }
        }
    }

    /** The tight box {@code {x0, y0, x1, y1}} of the non-zero pixels of the unresized item. */
    static int[] sourceBox(byte[] src, int offset, int n) {
        int x0 = n;
        int y0 = n;
        int x1 = 0;
        int y1 = 0;
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n; x++) {
                if (src[offset + y * n + x] != 0) {
                    x0 = Math.min(x0, x);
                    y0 = Math.min(y0, y);
                    x1 = Math.max(x1, x + 1);
                    y1 = Math.max(y1, y + 1);
                }
            }
        }
        return x1 > x0 ? new int[] {x0, y0, x1, y1} : new int[] {0, 0, n, n};
    }

    private static double bilinear(byte[] src, int offset, int n, double fx, double fy) {
        int ix = (int) Math.floor(fx);
        int iy = (int) Math.floor(fy);
        double tx = fx - ix;
        double ty = fy - iy;
        double top = at(src, offset, n, ix, iy) * (1 - tx) + at(src, offset, n, ix + 1, iy) * tx;
        double bottom = at(src, offset, n, ix, iy + 1) * (1 - tx) + at(src, offset, n, ix + 1, iy + 1) * tx;
        return top * (1 - ty) + bottom * ty;
    }

    private static int at(byte[] src, int offset, int n, int x, int y) {
        return x < 0 || y < 0 || x >= n || y >= n ? 0 : src[offset + y * n + x] & 0xFF;
    }
}
