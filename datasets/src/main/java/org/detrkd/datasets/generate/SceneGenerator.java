package org.detrkd.datasets.generate;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.detrkd.datasets.coco.CocoCategory;

/**
 * A recipe for one generated benchmark: its classes and how one image is drawn. Implementations are immutable
 * and thread-safe; all randomness comes from the per-image stream passed in (see {@link SceneRandom}), so the
 * same stream always gives the same pixels and boxes.
 */
public interface SceneGenerator {
    /** The benchmark name ({@code shapes}, {@code fashion}). */
    String name();

    /** The scene settings. */
    ShapesSpec spec();

    /** The categories, ids 1..K in order. */
    List<CocoCategory> categories();

    /** What the generator read from outside (for {@code dataset.json}); empty when it reads nothing. */
    Map<String, Object> source();

    /**
     * Draws one image of {@code split} on {@code canvas} (every pixel is overwritten) and returns its boxes.
     *
     * @return the ground-truth boxes in drawing order; area is {@code w * h}
     */
    List<GeneratedBox> render(Canvas canvas, String split, SplittableRandom r);
}
