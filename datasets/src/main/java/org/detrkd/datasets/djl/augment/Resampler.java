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
        float[] src = image.pixels();
        Kernel kx = Kernel.of(w, outWidth);
        Kernel ky = Kernel.of(h, outHeight);
        int c = HostImage.CHANNELS;
        // horizontal pass: [3, h, w] -> [3, h, outWidth]
        float[] tmp = new float[c * h * outWidth];
        for (int row = 0; row < c * h; row++) {
            int in = row * w;
            int out = row * outWidth;
            for (int x = 0; x < outWidth; x++) {
                tmp[out + x] = (float) kx.dot(src, in, 1, x);
            }
        }
        // vertical pass: [3, h, outWidth] -> [3, outHeight, outWidth]
        float[] dst = new float[c * outHeight * outWidth];
        for (int ch = 0; ch < c; ch++) {
            int inPlane = ch * h * outWidth;
            int outPlane = ch * outHeight * outWidth;
            for (int y = 0; y < outHeight; y++) {
                for (int x = 0; x < outWidth; x++) {
                    dst[outPlane + y * outWidth + x] = (float) ky.dot(tmp, inPlane + x, outWidth, y);
                }
            }
        }
        return new HostImage(outWidth, outHeight, dst);
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

        /** Weighted sum for output position {@code i} over {@code data[offset + j * stride]}. */
        double dot(float[] data, int offset, int stride, int i) {
            double sum = 0;
            int base = i * taps;
            int pos = offset + start[i] * stride;
            for (int j = 0; j < length[i]; j++) {
                sum += weights[base + j] * data[pos];
                pos += stride;
            }
            return sum;
        }
    }
}
