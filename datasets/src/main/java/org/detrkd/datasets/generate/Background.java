package org.detrkd.datasets.generate;

import java.util.SplittableRandom;

/**
 * Textured backgrounds written straight into the pixel array: fine noise, a linear gradient, sinusoidal stripes
 * or smooth blotches (bilinear value noise), each between two random colours, so a detector cannot find objects
 * by looking for the only edges in the image. Also the sensor-like per-pixel noise added over the finished scene.
 */
final class Background {
    private Background() {}

    /** Fills the whole canvas with one of the four textures. */
    static void paint(Canvas canvas, SplittableRandom r) {
        int a = Colors.random(r);
        int b = Colors.mix(a, Colors.random(r), SceneRandom.uniform(r, 0.3, 0.8));
        switch (r.nextInt(4)) {
            case 0 -> noise(canvas, r, a, b);
            case 1 -> gradient(canvas, r, a, b);
            case 2 -> stripes(canvas, r, a, b);
            default -> blotches(canvas, r, a, b);
        }
    }

    private static void noise(Canvas c, SplittableRandom r, int a, int b) {
        int[] px = c.pixels();
        int[] ramp = ramp(a, b);
        int amp = SceneRandom.between(r, 10, 40);
        for (int i = 0; i < px.length; i++) {
            px[i] = shift(ramp[r.nextInt(128)], r.nextInt(2 * amp + 1) - amp);
        }
    }

    /** The 256 colours from {@code a} to {@code b}; textures index it with {@code t * 255}. */
    private static int[] ramp(int a, int b) {
        int[] ramp = new int[256];
        for (int i = 0; i < 256; i++) {
            ramp[i] = Colors.mix(a, b, i / 255.0);
        }
        return ramp;
    }

    private static int level(double t) {
        return (int) (Math.max(0, Math.min(1, t)) * 255 + 0.5);
    }

    private static void gradient(Canvas c, SplittableRandom r, int a, int b) {
        double angle = r.nextDouble() * 2 * Math.PI;
        double dx = StrictMath.cos(angle);
        double dy = StrictMath.sin(angle);
        double half = 0.5 * Math.max(c.width(), c.height());
        int[] px = c.pixels();
        int[] ramp = ramp(a, b);
        for (int y = 0; y < c.height(); y++) {
            for (int x = 0; x < c.width(); x++) {
                double t = 0.5 + ((x - c.width() * 0.5) * dx + (y - c.height() * 0.5) * dy) / (2 * half);
                px[y * c.width() + x] = ramp[level(t)];
            }
        }
    }

    private static void stripes(Canvas c, SplittableRandom r, int a, int b) {
        double angle = r.nextDouble() * Math.PI;
        double period = SceneRandom.uniform(r, 5, 32);
        double contrast = SceneRandom.uniform(r, 0.3, 0.9);
        double kx = 2 * Math.PI * StrictMath.cos(angle) / period;
        double ky = 2 * Math.PI * StrictMath.sin(angle) / period;
        // sin(kx x + ky y) = sin(kx x) cos(ky y) + cos(kx x) sin(ky y): 2 (w + h) calls instead of w h
        double[] sx = new double[c.width()];
        double[] cx = new double[c.width()];
        for (int x = 0; x < c.width(); x++) {
            sx[x] = StrictMath.sin(kx * x);
            cx[x] = StrictMath.cos(kx * x);
        }
        int[] px = c.pixels();
        int[] ramp = ramp(a, b);
        for (int y = 0; y < c.height(); y++) {
            double sy = StrictMath.sin(ky * y);
            double cy = StrictMath.cos(ky * y);
            for (int x = 0; x < c.width(); x++) {
                double t = contrast * (0.5 + 0.5 * (sx[x] * cy + cx[x] * sy));
                px[y * c.width() + x] = ramp[level(t)];
            }
        }
    }

    private static void blotches(Canvas c, SplittableRandom r, int a, int b) {
        int cell = SceneRandom.between(r, 8, 40);
        int gw = c.width() / cell + 2;
        int gh = c.height() / cell + 2;
        double[] grid = new double[gw * gh];
        for (int i = 0; i < grid.length; i++) {
            grid[i] = r.nextDouble();
        }
        int[] px = c.pixels();
        int[] ramp = ramp(a, b);
        for (int y = 0; y < c.height(); y++) {
            int gy = y / cell;
            double fy = smooth((y % cell) / (double) cell);
            for (int x = 0; x < c.width(); x++) {
                int gx = x / cell;
                double fx = smooth((x % cell) / (double) cell);
                double top = grid[gy * gw + gx] * (1 - fx) + grid[gy * gw + gx + 1] * fx;
                double bottom = grid[(gy + 1) * gw + gx] * (1 - fx) + grid[(gy + 1) * gw + gx + 1] * fx;
                px[y * c.width() + x] = ramp[level(top * (1 - fy) + bottom * fy)];
            }
        }
    }

    private static double smooth(double t) {
        return t * t * (3 - 2 * t);
    }

    /** Adds independent uniform noise in [-amplitude, amplitude] to every channel of every pixel. */
    static void addNoise(Canvas c, SplittableRandom r, int amplitude) {
        if (amplitude == 0) {
            return;
        }
        int[] px = c.pixels();
        int span = 2 * amplitude + 1;
        for (int i = 0; i < px.length; i++) {
            long bits = r.nextLong(); // three 21-bit draws from one call; the modulo bias is below 1e-4
            int p = px[i];
            px[i] = Colors.rgb(Colors.red(p) + (int) ((bits & 0x1FFFFF) % span) - amplitude,
                    Colors.green(p) + (int) (((bits >>> 21) & 0x1FFFFF) % span) - amplitude,
                    Colors.blue(p) + (int) ((bits >>> 42) % span) - amplitude);
        }
    }

    private static int shift(int c, int d) {
        return Colors.rgb(Colors.red(c) + d, Colors.green(c) + d, Colors.blue(c) + d);
    }
}
