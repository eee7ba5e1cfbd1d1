package org.detrkd.datasets.djl.augment;

import java.util.SplittableRandom;

/**
 * A transform of an image and its boxes applied on the host before the NDArray is made (DETR's
 * {@code datasets/transforms.py}, where every transform maps {@code (image, target)} to a new pair). Implementations
 * draw all their randomness from the given generator, in a fixed order, so that a sample is a pure function of
 * (seed, epoch, index); deterministic transforms ignore it.
 */
@FunctionalInterface
public interface Augmentation {
    /** The identity. */
    Augmentation NONE = (sample, rng) -> sample;

    /**
     * @param sample the input, not modified
     * @param rng the item's generator
     * @return the transformed sample (possibly {@code sample} itself when nothing changes)
     */
    Sample apply(Sample sample, SplittableRandom rng);
}
