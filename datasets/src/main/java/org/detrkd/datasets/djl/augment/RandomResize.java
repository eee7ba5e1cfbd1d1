package org.detrkd.datasets.djl.augment;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Resizes so that the shorter side equals a size drawn uniformly from a list, keeping the aspect ratio and capping
 * the longer side at {@code maxSize} (DETR's {@code RandomResize} / {@code get_size_with_aspect_ratio}). With one
 * size this is the deterministic evaluation resize. Boxes are scaled by the exact per-axis ratios
 * {@code (newW / W, newH / H)}.
 */
public final class RandomResize implements Augmentation {
    private final int[] sizes;
    private final int maxSize;

    /**
     * @param sizes candidate lengths of the shorter side, positive
     * @param maxSize cap on the longer side, or 0 for none
     */
    public RandomResize(List<Integer> sizes, int maxSize) {
        if (sizes.isEmpty()) {
            throw new IllegalArgumentException("resize needs at least one size");
        }
        this.sizes = sizes.stream().mapToInt(Integer::intValue).toArray();
        for (int s : this.sizes) {
            if (s <= 0) {
                throw new IllegalArgumentException("resize sizes must be positive, got " + sizes);
            }
        }
        if (maxSize < 0) {
            throw new IllegalArgumentException("max size must be 0 (none) or positive, got " + maxSize);
        }
        this.maxSize = maxSize;
    }

    @Override
    public Sample apply(Sample sample, SplittableRandom rng) {
        int size = sizes.length == 1 ? sizes[0] : sizes[rng.nextInt(sizes.length)];
        int[] hw = targetSize(sample.image().width(), sample.image().height(), size, maxSize);
        return resize(sample, hw[1], hw[0]);
    }

    /**
     * The output {@code {height, width}} for an image of {@code width x height} whose shorter side should become
     * {@code size}, the longer side capped at {@code maxSize} (0: no cap); lengths are truncated as in DETR.
     */
    public static int[] targetSize(int width, int height, int size, int maxSize) {
        int target = size;
        if (maxSize > 0) {
            double shorter = Math.min(width, height);
            double longer = Math.max(width, height);
            if (longer / shorter * size > maxSize) {
                target = (int) Math.round(maxSize * shorter / longer);
            }
        }
        if ((width <= height && width == target) || (height <= width && height == target)) {
            return new int[] {height, width};
        }
        if (width < height) {
            return new int[] {(int) ((long) target * height / width), target};
        }
        return new int[] {target, (int) ((long) target * width / height)};
    }

    /** Resizes the image to {@code newWidth x newHeight} and scales the boxes with it. */
    public static Sample resize(Sample sample, int newWidth, int newHeight) {
        HostImage image = sample.image();
        if (image.width() == newWidth && image.height() == newHeight) {
            return sample;
        }
        double rx = (double) newWidth / image.width();
        double ry = (double) newHeight / image.height();
        double[] in = sample.boxes();
        double[] out = new double[in.length];
        for (int i = 0; i < in.length; i += 4) {
            out[i] = in[i] * rx;
            out[i + 1] = in[i + 1] * ry;
            out[i + 2] = in[i + 2] * rx;
            out[i + 3] = in[i + 3] * ry;
        }
        return new Sample(Resampler.resize(image, newWidth, newHeight), out, sample.classes().clone());
    }
}
