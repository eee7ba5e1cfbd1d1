package org.detrkd.datasets.djl.augment;

/**
 * Separable bilinear resampling of a {@link HostImage} with a triangle filter widened by the scale factor when
 * shrinking (antialiasing, as PIL's and torchvision's antialiased bilinear resize do). When enlarging it is plain
 * bilinear interpolation with half-pixel centres and clamped edges ({@code align_corners=False}).
 */
public final class Resampler {
    private Resampler() {}

    /** Resizes {@code image} to {@code outWidth x outHeight}; returns it unchanged when the size already matches. */
    public static HostImage resize(HostImage image, int outWidth, int outHeight) {
        if (outWidth <= 0 || outHeight <= 0) {
            throw new IllegalArgumentException("target size must be positive, got " + outWidth + "x" + outHeight);
        }
        int w = image.width();
        int h = image.height();
        if (w == outWidth && h == outHeight) {
            return image;
        }
        Kernel kx = Kernel.of(w, outWidth);
        Kernel ky = Kernel.of(h, outHeight);
        int c = HostImage.CHANNELS;
        float[] src = image.pixels();
        float[] dst = new float[c * outHeight * outWidth];
        float[] rows = new float[outHeight * w];
        float[] cols = new float[w * outHeight];
        float[] colsOut = new float[outWidth * outHeight];
        for (int ch = 0; ch < c; ch++) {
            // vertical: [h, w] -> [outHeight, w]; then along x on the transpose, and transpose back
            filterRows(src, ch * h * w, w, ky, rows, 0);
            transpose(rows, 0, outHeight, w, cols, 0);
            filterRows(cols, 0, outHeight, kx, colsOut, 0);
            transpose(colsOut, 0, outWidth, outHeight, dst, ch * outHeight * outWidth);
        }
        return new HostImage(outWidth, outHeight, dst);
    }

    /**
     * Filters along the first axis of a row-major {@code [in, width]} block: output row {@code i} is the weighted sum
     * of whole input rows, so the inner loop runs over contiguous memory (vectorised by the JIT).
     */
    private static void filterRows(float[] in, int inOffset, int width, Kernel k, float[] out, int outOffset) {
        int n = k.start.length;
        java.util.Arrays.fill(out, outOffset, outOffset + n * width, 0f);
        for (int i = 0; i < n; i++) {
            int o = outOffset + i * width;
            for (int j = 0; j < k.length[i]; j++) {
                float wj = (float) k.weights[i * k.taps + j];
                int r = inOffset + (k.start[i] + j) * width;
                for (int x = 0; x < width; x++) {
                    out[o + x] += wj * in[r + x];
                }
            }
        }
    }

    /** Transposes a row-major {@code [rows, cols]} block into {@code [cols, rows]}. */
    private static void transpose(float[] in, int inOffset, int rows, int cols, float[] out, int outOffset) {
        for (int r = 0; r < rows; r++) {
            int base = inOffset + r * cols;
            for (int col = 0; col < cols; col++) {
                out[outOffset + col * rows + r] = in[base + col];
            }
        }
    }

    /** Per-output-position filter taps along one axis: first input index and normalised weights. */
    private static final class Kernel {
        final int[] start;
        final int[] length;
        final double[] weights;
        final int taps;

        private Kernel(int[] start, int[] length, double[] weights, int taps) {
            this.start = start;
            this.length = length;
            this.weights = weights;
            this.taps = taps;
        }

        static Kernel of(int inSize, int outSize) {
            double scale = (double) inSize / outSize;
            double filterScale = Math.max(scale, 1.0);
            double support = filterScale;
            int taps = (int) Math.ceil(support) * 2 + 1;
            int[] start = new int[outSize];
            int[] length = new int[outSize];
            double[] weights = new double[outSize * taps];
            for (int i = 0; i < outSize; i++) {
                double center = (i + 0.5) * scale;
                int lo = Math.max(0, (int) Math.floor(center - support + 0.5));
                int hi = Math.min(inSize, (int) Math.floor(center + support + 0.5));
                double total = 0;
                for (int j = lo; j < hi; j++) {
                    double wgt = Math.max(0.0, 1.0 - Math.abs((j + 0.5 - center) / filterScale));
                    weights[i * taps + j - lo] = wgt;
                    total += wgt;
                }
                for (int j = 0; j < hi - lo; j++) {
                    weights[i * taps + j] /= total;
                }
                start[i] = lo;
                length[i] = hi - lo;
            }
            return new Kernel(start, length, weights, taps);
        }
    }
}
