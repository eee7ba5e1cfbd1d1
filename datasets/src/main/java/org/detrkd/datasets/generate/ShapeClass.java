package org.detrkd.datasets.generate;

import java.awt.Shape;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.util.Locale;

/**
 * The eight object classes of the {@code shapes} benchmark. They differ by outline only (colour is drawn
 * independently of the class): polygons given as vertices in the unit frame [-1, 1]&sup2;, and the circle and
 * ring as ellipses. Square and diamond differ by 45 degrees, more than twice the largest rotation, so they never
 * look alike.
 */
public enum ShapeClass {
    CIRCLE(null),
    SQUARE(new double[] {-1, -1, 1, -1, 1, 1, -1, 1}),
    TRIANGLE(new double[] {0, -1, 1, 1, -1, 1}),
    STAR(star()),
    CROSS(new double[] {-0.33, -1, 0.33, -1, 0.33, -0.33, 1, -0.33, 1, 0.33, 0.33, 0.33,
        0.33, 1, -0.33, 1, -0.33, 0.33, -1, 0.33, -1, -0.33, -0.33, -0.33}),
    RING(null),
    DIAMOND(new double[] {0, -1, 1, 0, 0, 1, -1, 0}),
    HEXAGON(hexagon());

    /** Inner radius of the ring relative to the outer one. */
    private static final double RING_HOLE = 0.55;

    private final double[] unitVertices;

    ShapeClass(double[] unitVertices) {
        this.unitVertices = unitVertices;
    }

    /** The category name written to the annotation file. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The outline of this class centred at {@code (cx, cy)}, spanning {@code w x h} before a rotation by
     * {@code angle} radians, with its exact axis-aligned box (not clipped to the image).
     */
    Geometry build(double cx, double cy, double w, double h, double angle) {
        double cos = StrictMath.cos(angle);
        double sin = StrictMath.sin(angle);
        if (unitVertices == null) {
            return ellipse(cx, cy, w / 2, h / 2, angle, cos, sin);
        }
        Path2D.Double p = new Path2D.Double();
        double x0 = Double.POSITIVE_INFINITY;
        double y0 = Double.POSITIVE_INFINITY;
        double x1 = Double.NEGATIVE_INFINITY;
        double y1 = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < unitVertices.length; k += 2) {
            double u = unitVertices[k] * w / 2;
            double v = unitVertices[k + 1] * h / 2;
            double x = cx + u * cos - v * sin;
            double y = cy + u * sin + v * cos;
            if (k == 0) {
                p.moveTo(x, y);
            } else {
                p.lineTo(x, y);
            }
            x0 = Math.min(x0, x);
            y0 = Math.min(y0, y);
            x1 = Math.max(x1, x);
            y1 = Math.max(y1, y);
        }
        p.closePath();
        return new Geometry(p, x0, y0, x1, y1);
    }

    private Geometry ellipse(double cx, double cy, double a, double b, double angle, double cos, double sin) {
        AffineTransform at = new AffineTransform(cos, sin, -sin, cos, cx, cy);
        Shape outer = at.createTransformedShape(new Ellipse2D.Double(-a, -b, 2 * a, 2 * b));
        Shape shape = outer;
        if (this == RING) {
            Path2D.Double p = new Path2D.Double(Path2D.WIND_EVEN_ODD);
            p.append(outer, false);
            double ia = a * RING_HOLE;
            double ib = b * RING_HOLE;
            p.append(at.createTransformedShape(new Ellipse2D.Double(-ia, -ib, 2 * ia, 2 * ib)), false);
            shape = p;
        }
        double hx = Math.sqrt(a * a * cos * cos + b * b * sin * sin);
        double hy = Math.sqrt(a * a * sin * sin + b * b * cos * cos);
        return new Geometry(shape, cx - hx, cy - hy, cx + hx, cy + hy);
    }

    private static double[] star() {
        double[] v = new double[20];
        for (int k = 0; k < 10; k++) {
            double rad = k % 2 == 0 ? 1 : 0.42;
            double a = -Math.PI / 2 + Math.PI * k / 5;
            v[2 * k] = rad * StrictMath.cos(a);
            v[2 * k + 1] = rad * StrictMath.sin(a);
        }
        return v;
    }

    private static double[] hexagon() {
        double[] v = new double[12];
        for (int k = 0; k < 6; k++) {
            double a = Math.PI * k / 3;
            v[2 * k] = StrictMath.cos(a);
            v[2 * k + 1] = StrictMath.sin(a) * 2 / Math.sqrt(3);
        }
        return v;
    }

    /**
     * A drawable outline and its exact box {@code [x0, x1] x [y0, y1]} in pixels.
     *
     * @param shape the outline in image coordinates
     * @param x0 left
     * @param y0 top
     * @param x1 right
     * @param y1 bottom
     */
    record Geometry(Shape shape, double x0, double y0, double x1, double y1) {}
}
