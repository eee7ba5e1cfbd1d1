package org.detrkd.datasets.generate;

import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.util.SplittableRandom;

/**
 * One placed shape: its class and outline. Painted in a colour that stands out from the background under its
 * box, with a gentle linear shading, so colour says nothing about the class.
 */
final class ShapeObject implements SceneObject {
    private final ShapeClass shapeClass;
    private final ShapeClass.Geometry geometry;

    ShapeObject(ShapeClass shapeClass, ShapeClass.Geometry geometry) {
        this.shapeClass = shapeClass;
        this.geometry = geometry;
    }

    @Override
    public int categoryId() {
        return shapeClass.ordinal() + 1;
    }

    @Override
    public double[] bounds() {
        return new double[] {geometry.x0(), geometry.y0(), geometry.x1(), geometry.y1()};
    }

    @Override
    public int[] coverage(Canvas canvas) {
        return canvas.coverage(geometry.shape(), geometry.x0(), geometry.y0(), geometry.x1(), geometry.y1());
    }

    @Override
    public void paint(Canvas canvas, SplittableRandom r) {
        double luma = canvas.meanLuminance(geometry.x0(), geometry.y0(), geometry.x1(), geometry.y1());
        int colour = Colors.contrasting(r, luma, 0.25);
        int shade = Colors.scale(colour, SceneRandom.uniform(r, 0.6, 1.0));
        boolean vertical = r.nextBoolean();
        Graphics2D g = canvas.graphics();
        g.setPaint(new GradientPaint((float) geometry.x0(), (float) geometry.y0(), new Color(colour),
                (float) (vertical ? geometry.x0() : geometry.x1()), (float) (vertical ? geometry.y1() : geometry.y0()),
                new Color(shade)));
        g.fill(geometry.shape());
    }
}
