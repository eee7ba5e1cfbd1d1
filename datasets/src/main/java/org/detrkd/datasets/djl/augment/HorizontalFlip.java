package org.detrkd.datasets.djl.augment;

import java.util.SplittableRandom;

/**
 * Mirrors the image left-right with probability {@code p} (DETR's {@code RandomHorizontalFlip}, p = 0.5). A box
 * {@code (x0, y0, x1, y1)} becomes {@code (W - x1, y0, W - x0, y1)}; pixel column {@code x} moves to
 * {@code W - 1 - x}.
 */
public final class HorizontalFlip implements Augmentation {
    private final double p;

    /** @param p the probability of flipping, in [0, 1] */
    public HorizontalFlip(double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("flip probability must be in [0, 1], got " + p);
        }
        this.p = p;
    }

    @Override
    public Sample apply(Sample sample, SplittableRandom rng) {
        return rng.nextDouble() < p ? flip(sample) : sample;
    }

    /** The flipped sample, unconditionally. */
    public static Sample flip(Sample sample) {
        HostImage image = sample.image();
        double w = image.width();
        double[] in = sample.boxes();
        double[] out = new double[in.length];
        for (int i = 0; i < in.length; i += 4) {
            out[i] = w - in[i + 2];
            out[i + 1] = in[i + 1];
            out[i + 2] = w - in[i];
            out[i + 3] = in[i + 3];
        }
        return new Sample(image.flipHorizontal(), out, sample.classes().clone());
    }
}
