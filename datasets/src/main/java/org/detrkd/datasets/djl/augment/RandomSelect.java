package org.detrkd.datasets.djl.augment;

import java.util.SplittableRandom;

/** Applies {@code first} with probability {@code p}, otherwise {@code second} (DETR's {@code RandomSelect}). */
public final class RandomSelect implements Augmentation {
    private final Augmentation first;
    private final Augmentation second;
    private final double p;

    /**
     * @param first applied with probability {@code p}
     * @param second applied otherwise
     * @param p in [0, 1]
     */
    public RandomSelect(Augmentation first, Augmentation second, double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("selection probability must be in [0, 1], got " + p);
        }
        this.first = first;
        this.second = second;
        this.p = p;
    }

    @Override
    public Sample apply(Sample sample, SplittableRandom rng) {
        return rng.nextDouble() < p ? first.apply(sample, rng) : second.apply(sample, rng);
    }
}
