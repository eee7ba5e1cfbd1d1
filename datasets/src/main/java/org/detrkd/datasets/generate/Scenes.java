package org.detrkd.datasets.generate;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The scene recipe both generators follow: textured background, distractors, objects stacked under the occlusion
 * rule of {@link SceneLayout}, then per-pixel noise. Only the objects differ between benchmarks.
 */
final class Scenes {
    private Scenes() {}

    /** Draws a whole scene with objects from {@code sampler} and returns their clipped boxes. */
    static List<GeneratedBox> render(Canvas canvas, SplittableRandom r, SceneLayout layout,
                                     SceneLayout.ObjectSampler sampler) {
        ShapesSpec spec = layout.spec();
        Background.paint(canvas, r);
        Distractors.draw(canvas, r, SceneRandom.between(r, spec.minDistractors(), spec.maxDistractors()));
        List<SceneObject> objects = layout.place(canvas, r, sampler);
        List<GeneratedBox> boxes = new ArrayList<>(objects.size());
        for (SceneObject o : objects) {
            o.paint(canvas, r);
            double[] b = o.bounds();
            GeneratedBox box = GeneratedBox.clipped(o.categoryId(), b[0], b[1], b[2], b[3],
                    canvas.width(), canvas.height());
            if (box != null) {
                boxes.add(box);
            }
        }
        Background.addNoise(canvas, r, spec.pixelNoise());
        return boxes;
    }
}
