package org.detrkd.datasets.djl.augment;

import org.detrkd.datasets.boxes.BoxFormat;

/**
 * One training example on the host, as the augmentations see it: the image, its boxes in absolute-pixel
 * {@code (x0, y0, x1, y1)} of that image ({@code [n, 4]} flat), and one contiguous class index per box.
 * Augmentations return new samples and never modify the arrays of the one they are given.
 *
 * @param image the image
 * @param boxes {@code [n, 4]} flat, absolute xyxy in pixels of {@code image}
 * @param classes {@code [n]} contiguous class indices
 */
public record Sample(HostImage image, double[] boxes, int[] classes) {
    public Sample {
        if (boxes.length != 4 * classes.length) {
            throw new IllegalArgumentException(classes.length + " classes but " + boxes.length / 4.0 + " boxes");
        }
    }

    /** The number of boxes. */
    public int count() {
        return BoxFormat.count(boxes);
    }
}
