package org.detrkd.datasets.generate;

import java.util.SplittableRandom;

/** Packed {@code 0xRRGGBB} colour helpers for the generators (integer and double arithmetic only). */
final class Colors {
    private Colors() {}

    static int rgb(int r, int g, int b) {
        return (clamp(r) << 16) | (clamp(g) << 8) | clamp(b);
    }

    static int clamp(int v) {
        return v < 0 ? 0 : Math.min(v, 255);
    }

    static int red(int c) {
        return (c >> 16) & 0xFF;
    }

    static int green(int c) {
        return (c >> 8) & 0xFF;
    }

    static int blue(int c) {
        return c & 0xFF;
    }

    /** Luma in [0, 1] (Rec. 601 weights). */
    static double luminance(int c) {
        return (0.299 * red(c) + 0.587 * green(c) + 0.114 * blue(c)) / 255.0;
    }

    /** {@code a} blended towards {@code b} by {@code t} in [0, 1]. */
    static int mix(int a, int b, double t) {
        return rgb((int) Math.round(red(a) + (red(b) - red(a)) * t),
                (int) Math.round(green(a) + (green(b) - green(a)) * t),
                (int) Math.round(blue(a) + (blue(b) - blue(a)) * t));
    }

    /** Each channel multiplied by {@code f}. */
    static int scale(int c, double f) {
        return rgb((int) Math.round(red(c) * f), (int) Math.round(green(c) * f), (int) Math.round(blue(c) * f));
    }

    /** A random colour: any hue, saturation in [0.2, 1], value in [0.15, 1]. */
    static int random(SplittableRandom r) {
        return hsv(r.nextDouble(), SceneRandom.uniform(r, 0.2, 1), SceneRandom.uniform(r, 0.15, 1));
    }

    /** A random colour whose luma differs from {@code background}'s by at least {@code minContrast}. */
    static int contrasting(SplittableRandom r, double backgroundLuma, double minContrast) {
        int c = random(r);
        for (int i = 0; i < 16 && Math.abs(luminance(c) - backgroundLuma) < minContrast; i++) {
            c = random(r);
        }
        if (Math.abs(luminance(c) - backgroundLuma) < minContrast) {
            c = backgroundLuma > 0.5 ? scale(c, 0.25) : mix(c, 0xFFFFFF, 0.75);
        }
        return c;
    }

    /** HSV (all in [0, 1]) to packed RGB. */
    static int hsv(double h, double s, double v) {
        double hh = (h - Math.floor(h)) * 6;
        int sector = (int) hh;
        double f = hh - sector;
        double p = v * (1 - s);
        double q = v * (1 - s * f);
        double t = v * (1 - s * (1 - f));
        double[] c = switch (sector) {
            case 0 -> new double[] {v, t, p};
            case 1 -> new double[] {q, v, p};
            case 2 -> new double[] {p, v, t};
            case 3 -> new double[] {p, q, v};
            case 4 -> new double[] {t, p, v};
            default -> new double[] {v, p, q};
        };
        return rgb((int) Math.round(c[0] * 255), (int) Math.round(c[1] * 255), (int) Math.round(c[2] * 255));
    }
}
