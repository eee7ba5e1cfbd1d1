package org.detrkd.datasets.generate;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.detrkd.datasets.coco.CocoCategory;

/**
 * The {@code shapes} benchmark: the eight {@link ShapeClass} outlines, each object with a random class, size
 * (three-band law), aspect ratio up to {@code maxAspect}, rotation up to {@code maxRotationDegrees} and colour,
 * on textured backgrounds with distractors. Boxes are computed from the outline geometry (vertices, or the
 * rotated ellipse's extent), so they are tight to the drawn shape up to anti-aliasing.
 */
public final class ShapesGenerator implements SceneGenerator {
    private static final ShapeClass[] CLASSES = ShapeClass.values();

    private final ShapesSpec spec;
    private final SceneLayout layout;

    public ShapesGenerator(ShapesSpec spec) {
        this.spec = spec.validate();
        this.layout = new SceneLayout(spec, CLASSES.length);
    }

    @Override
    public String name() {
        return "shapes";
    }

    @Override
    public ShapesSpec spec() {
        return spec;
    }

    @Override
    public List<CocoCategory> categories() {
        List<CocoCategory> out = new ArrayList<>();
        for (ShapeClass c : CLASSES) {
            out.add(new CocoCategory(c.ordinal() + 1, c.label(), "shape"));
        }
        return out;
    }

    @Override
    public Map<String, Object> source() {
        return Map.of();
    }

    @Override
    public List<GeneratedBox> render(Canvas canvas, String split, SplittableRandom r) {
        return Scenes.render(canvas, r, layout, ShapesGenerator::sample);
    }

    private static SceneObject sample(SplittableRandom r, int classIndex, double side, SceneLayout layout) {
        ShapesSpec s = layout.spec();
        ShapeClass shapeClass = CLASSES[classIndex];
        double logAspect = StrictMath.log(s.maxAspect());
        double ratio = StrictMath.sqrt(StrictMath.exp(SceneRandom.uniform(r, -logAspect, logAspect)));
        double w = side * ratio;
        double h = side / ratio;
        double angle = StrictMath.toRadians(SceneRandom.uniform(r, -s.maxRotationDegrees(), s.maxRotationDegrees()));
        ShapeClass.Geometry atOrigin = shapeClass.build(0, 0, w, h, angle);
        double[] corner = layout.topLeft(r, atOrigin.x1() - atOrigin.x0(), atOrigin.y1() - atOrigin.y0());
        return new ShapeObject(shapeClass,
                shapeClass.build(corner[0] - atOrigin.x0(), corner[1] - atOrigin.y0(), w, h, angle));
    }
}
