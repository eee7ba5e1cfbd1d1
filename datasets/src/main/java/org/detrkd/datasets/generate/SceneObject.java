package org.detrkd.datasets.generate;

import java.util.SplittableRandom;

/**
 * An object chosen for a scene but not yet drawn: its class, its exact box and the pixels it will cover, so the
 * layout can check occlusion before anything is painted.
 */
interface SceneObject {
    /** The 1-based category id. */
    int categoryId();

    /** The exact box {@code {x0, y0, x1, y1}} in pixels, not clipped to the image. */
    double[] bounds();

    /** Row-major indices of the image pixels this object covers opaquely (inside the image only). */
    int[] coverage(Canvas canvas);

    /** Draws the object over what is on the canvas; colours are drawn from {@code r}. */
    void paint(Canvas canvas, SplittableRandom r);
}
