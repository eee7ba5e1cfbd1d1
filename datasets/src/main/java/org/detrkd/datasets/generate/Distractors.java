package org.detrkd.datasets.generate;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.util.SplittableRandom;

/**
 * Clutter that is not an object and gets no annotation: straight lines, open scribbles, irregular smooth blobs
 * and small irregular polygons (random radii, so not one of the shape classes), drawn on the background before
 * the objects. They give the detector edges and corners to reject.
 */
final class Distractors {
    private Distractors() {}

    /** Draws {@code count} distractors. */
    static void draw(Canvas canvas, SplittableRandom r, int count) {
        Graphics2D g = canvas.graphics();
        for (int i = 0; i < count; i++) {
            g.setColor(new Color(Colors.random(r)));
            double cx = r.nextDouble() * canvas.width();
            double cy = r.nextDouble() * canvas.height();
            switch (r.nextInt(4)) {
                case 0 -> line(g, r, canvas, cx, cy);
                case 1 -> scribble(g, r, canvas, cx, cy);
                case 2 -> g.fill(blob(r, cx, cy, SceneRandom.logUniform(r, 4, 0.25 * canvas.width())));
                default -> g.fill(polygon(r, cx, cy, SceneRandom.logUniform(r, 3, 0.15 * canvas.width())));
            }
        }
        g.setStroke(new BasicStroke(1f));
    }

    private static void line(Graphics2D g, SplittableRandom r, Canvas c, double cx, double cy) {
        double angle = r.nextDouble() * Math.PI;
        double half = SceneRandom.uniform(r, 0.1, 0.7) * c.width();
        double dx = half * StrictMath.cos(angle);
        double dy = half * StrictMath.sin(angle);
        g.setStroke(new BasicStroke((float) SceneRandom.uniform(r, 0.8, 3.5)));
        g.draw(new Line2D.Double(cx - dx, cy - dy, cx + dx, cy + dy));
    }

    private static void scribble(Graphics2D g, SplittableRandom r, Canvas c, double cx, double cy) {
        Path2D.Double p = new Path2D.Double();
        p.moveTo(cx, cy);
        double reach = 0.3 * c.width();
        for (int k = 0; k < 3; k++) {
            p.quadTo(cx + SceneRandom.uniform(r, -reach, reach), cy + SceneRandom.uniform(r, -reach, reach),
                    cx + SceneRandom.uniform(r, -reach, reach), cy + SceneRandom.uniform(r, -reach, reach));
        }
        g.setStroke(new BasicStroke((float) SceneRandom.uniform(r, 0.8, 3), BasicStroke.CAP_ROUND,
                BasicStroke.JOIN_ROUND));
        g.draw(p);
    }

    /** A closed smooth curve through 7 points at random radii and a random elongation. */
    private static Path2D blob(SplittableRandom r, double cx, double cy, double radius) {
        int n = 7;
        double stretch = SceneRandom.uniform(r, 0.35, 1);
        double turn = r.nextDouble() * 2 * Math.PI;
        double[] xs = new double[n];
        double[] ys = new double[n];
        for (int k = 0; k < n; k++) {
            double a = 2 * Math.PI * k / n;
            double rad = radius * SceneRandom.uniform(r, 0.4, 1);
            double u = rad * StrictMath.cos(a);
            double v = rad * StrictMath.sin(a) * stretch;
            xs[k] = cx + u * StrictMath.cos(turn) - v * StrictMath.sin(turn);
            ys[k] = cy + u * StrictMath.sin(turn) + v * StrictMath.cos(turn);
        }
        Path2D.Double p = new Path2D.Double();
        p.moveTo((xs[n - 1] + xs[0]) / 2, (ys[n - 1] + ys[0]) / 2);
        for (int k = 0; k < n; k++) {
            int next = (k + 1) % n;
            p.quadTo(xs[k], ys[k], (xs[k] + xs[next]) / 2, (ys[k] + ys[next]) / 2);
        }
        p.closePath();
        return p;
    }

    /** An irregular polygon: 4 to 7 vertices at jittered angles and radii. */
    private static Path2D polygon(SplittableRandom r, double cx, double cy, double radius) {
        int n = SceneRandom.between(r, 4, 7);
        double start = r.nextDouble() * 2 * Math.PI;
        Path2D.Double p = new Path2D.Double();
        for (int k = 0; k < n; k++) {
            double a = start + 2 * Math.PI * (k + SceneRandom.uniform(r, -0.3, 0.3)) / n;
            double rad = radius * SceneRandom.uniform(r, 0.3, 1);
            double x = cx + rad * StrictMath.cos(a);
            double y = cy + rad * StrictMath.sin(a);
            if (k == 0) {
                p.moveTo(x, y);
            } else {
                p.lineTo(x, y);
            }
        }
        p.closePath();
        return p;
    }
}
