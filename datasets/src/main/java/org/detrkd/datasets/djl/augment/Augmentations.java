package org.detrkd.datasets.djl.augment;

import java.util.ArrayList;
import java.util.List;

/**
 * The DETR augmentation recipes (facebookresearch/detr {@code datasets/coco.py}, {@code make_coco_transforms}),
 * with every size a parameter so that the small generated datasets can scale them down.
 */
public final class Augmentations {
    private Augmentations() {}

    /**
     * DETR's training recipe: horizontal flip (p 0.5), then with probability 0.5 a random resize to one of
     * {@code scales} (longer side capped at {@code maxSize}), otherwise a random resize to one of
     * {@code cropResizes}, a random crop with sides in {@code [cropMin, cropMax]} and a random resize to one of
     * {@code scales}.
     */
    public static Augmentation detrTrain(List<Integer> scales, int maxSize, List<Integer> cropResizes,
                                         int cropMin, int cropMax) {
        Augmentation plain = new RandomResize(scales, maxSize);
        Augmentation cropped = new Compose(new RandomResize(cropResizes, 0), new RandomSizeCrop(cropMin, cropMax),
                new RandomResize(scales, maxSize));
        return new Compose(new HorizontalFlip(0.5), new RandomSelect(plain, cropped, 0.5));
    }

    /** The paper-scale recipe: scales 480..800 step 32, max 1333, crop resizes 400/500/600, crop 384..600. */
    public static Augmentation detrTrainCoco() {
        return detrTrain(range(480, 800, 32), 1333, List.of(400, 500, 600), 384, 600);
    }

    /** The deterministic evaluation transform: shorter side to {@code size}, longer capped at {@code maxSize}. */
    public static Augmentation evalResize(int size, int maxSize) {
        return new RandomResize(List.of(size), maxSize);
    }

    /** {@code from, from + step, ..., to} (inclusive when reached). */
    public static List<Integer> range(int from, int to, int step) {
        if (step <= 0) {
            throw new IllegalArgumentException("step must be positive, got " + step);
        }
        List<Integer> out = new ArrayList<>();
        for (int v = from; v <= to; v += step) {
            out.add(v);
        }
        return out;
    }
}
