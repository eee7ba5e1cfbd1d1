package org.detrkd.datasets.djl.augment;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Crops a random region whose width and height are drawn uniformly from {@code [minSize, maxSize]} (each also
 * capped by the image side), at a uniformly drawn position (DETR's {@code RandomSizeCrop} followed by
 * {@code crop}). Boxes are shifted by the region's corner and clipped to it; boxes left with zero width or height
 * (those that did not intersect the region) are dropped together with their classes.
 */
public final class RandomSizeCrop implements Augmentation {
    private final int minSize;
    private final int maxSize;

    /**
     * @param minSize smallest crop side, positive
     * @param maxSize largest crop side, at least {@code minSize}
     */
    public RandomSizeCrop(int minSize, int maxSize) {
        if (minSize <= 0 || maxSize < minSize) {
            throw new IllegalArgumentException("crop sizes need 0 < min <= max, got " + minSize + ", " + maxSize);
        }
        this.minSize = minSize;
        this.maxSize = maxSize;
    }

    @Override
    public Sample apply(Sample sample, SplittableRandom rng) {
        int width = sample.image().width();
        int height = sample.image().height();
        int w = draw(rng, Math.min(minSize, width), Math.min(maxSize, width));
        int h = draw(rng, Math.min(minSize, height), Math.min(maxSize, height));
        int top = rng.nextInt(height - h + 1);
        int left = rng.nextInt(width - w + 1);
        return crop(sample, top, left, h, w);
    }

    private static int draw(SplittableRandom rng, int lo, int hi) {
        return rng.nextInt(lo, hi + 1);
    }

    /**
     * Crops rows {@code [top, top + h)} and columns {@code [left, left + w)}; boxes are shifted by
     * {@code (left, top)}, clipped to {@code [0, w] x [0, h]}, and dropped when empty.
     */
    public static Sample crop(Sample sample, int top, int left, int h, int w) {
        HostImage image = sample.image().crop(top, left, h, w);
        double[] in = sample.boxes();
        int[] classes = sample.classes();
        double[] out = new double[in.length];
        int[] kept = new int[classes.length];
        int n = 0;
        for (int i = 0; i < classes.length; i++) {
            double x0 = clamp(in[4 * i] - left, w);
            double y0 = clamp(in[4 * i + 1] - top, h);
            double x1 = clamp(in[4 * i + 2] - left, w);
            double y1 = clamp(in[4 * i + 3] - top, h);
            if (x1 > x0 && y1 > y0) {
                out[4 * n] = x0;
                out[4 * n + 1] = y0;
                out[4 * n + 2] = x1;
                out[4 * n + 3] = y1;
                kept[n++] = classes[i];
            }
        }
        return new Sample(image, Arrays.copyOf(out, 4 * n), Arrays.copyOf(kept, n));
    }

    private static double clamp(double v, double hi) {
        return Math.min(Math.max(v, 0.0), hi);
    }
}
