package org.detrkd.datasets.djl.augment;

import java.util.List;
import java.util.SplittableRandom;

/** Applies augmentations in order, all drawing from the same item generator. */
public final class Compose implements Augmentation {
    private final List<Augmentation> steps;

    public Compose(List<Augmentation> steps) {
        this.steps = List.copyOf(steps);
    }

    public Compose(Augmentation... steps) {
        this(List.of(steps));
    }

    @Override
    public Sample apply(Sample sample, SplittableRandom rng) {
        Sample s = sample;
        for (Augmentation step : steps) {
            s = step.apply(s, rng);
        }
        return s;
    }
}
