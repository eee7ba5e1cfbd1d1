package org.detrkd.datasets.generate;

import java.util.SplittableRandom;

/**
 * One Fashion-MNIST item placed in a scene: its resized grey raster at an integer position, composited with the
 * item's own intensity as alpha ({@code min(1, 2 level / 255)}, levels stretched to a maximum of 255) in a random
 * tint shaded by the intensity, so the item's texture survives. Its box is tight to the non-zero pixels that fall inside the image; its coverage (for
 * the occlusion rule) is the pixels with alpha of at least one half.
 */
final class FashionObject implements SceneObject {
    private static final double ALPHA_GAIN = 2.0;
    /** Level from which a pixel counts as covered: alpha 0.5. */
    private static final int OPAQUE_LEVEL = (int) Math.ceil(0.5 * 255 / ALPHA_GAIN);

    private final int categoryId;
    private final ItemRaster raster;
    private final int left;
    private final int top;
    private final double[] bounds;

    FashionObject(int categoryId, ItemRaster raster, int left, int top, int width, int height) {
        this.categoryId = categoryId;
        this.raster = raster;
        this.left = left;
        this.top = top;
        this.bounds = visibleBox(width, height);
    }

    private double[] visibleBox(int width, int height) {
        int x0 = Integer.MAX_VALUE;
        int y0 = Integer.MAX_VALUE;
        int x1 = Integer.MIN_VALUE;
        int y1 = Integer.MIN_VALUE;
        int s = raster.side();
        for (int v = raster.y0(); v < raster.y1(); v++) {
            int y = top + v;
            for (int u = raster.x0(); u < raster.x1() && y >= 0 && y < height; u++) {
                int x = left + u;
                if (x >= 0 && x < width && raster.alpha()[v * s + u] > 0) {
                    x0 = Math.min(x0, x);
                    y0 = Math.min(y0, y);
                    x1 = Math.max(x1, x + 1);
                    y1 = Math.max(y1, y + 1);
                }
            }
        }
        return x1 > x0 ? new double[] {x0, y0, x1, y1} : new double[] {0, 0, 0, 0};
    }

    @Override
    public int categoryId() {
        return categoryId;
    }

    @Override
    public double[] bounds() {
        return bounds.clone();
    }

    @Override
    public int[] coverage(Canvas canvas) {
        int s = raster.side();
        int[] out = new int[s * s];
        int n = 0;
        for (int v = 0; v < s; v++) {
            int y = top + v;
            for (int u = 0; u < s && y >= 0 && y < canvas.height(); u++) {
                int x = left + u;
                if (x >= 0 && x < canvas.width() && raster.alpha()[v * s + u] >= OPAQUE_LEVEL) {
                    out[n++] = y * canvas.width() + x;
                }
            }
        }
        return java.util.Arrays.copyOf(out, n);
    }

    @Override
    public void paint(Canvas canvas, SplittableRandom r) {
        int tint = Colors.contrasting(r, canvas.meanLuminance(bounds[0], bounds[1], bounds[2], bounds[3]), 0.3);
        int[] px = canvas.pixels();
        int s = raster.side();
        for (int v = 0; v < s; v++) {
            int y = top + v;
            for (int u = 0; u < s && y >= 0 && y < canvas.height(); u++) {
                int x = left + u;
                int level = raster.alpha()[v * s + u];
                if (level == 0 || x < 0 || x >= canvas.width()) {
                    continue;
                }
                double a = level / 255.0;
                int i = y * canvas.width() + x;
                px[i] = Colors.mix(px[i], Colors.scale(tint, 0.65 + 0.35 * a), Math.min(1, ALPHA_GAIN * a));
            }
        }
    }
}
