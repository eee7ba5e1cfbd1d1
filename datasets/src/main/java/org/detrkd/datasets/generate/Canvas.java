package org.detrkd.datasets.generate;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.util.Arrays;

/**
 * A reusable drawing surface for one worker thread (created by the dataset maker, used by the generators): the RGB image being generated (direct pixel array for
 * textures, an anti-aliased {@link Graphics2D} for shapes) and a scratch mask on which a shape is rasterised
 * without anti-aliasing to find the pixels it covers (used for the occlusion rule).
 */
public final class Canvas {
    private final int width;
    private final int height;
    private final BufferedImage image;
    private final int[] pixels;
    private final Graphics2D graphics;
    private final int[] maskPixels;
    private final Graphics2D maskGraphics;

    Canvas(int width, int height) {
        this.width = width;
        this.height = height;
        this.image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        this.pixels = ((DataBufferInt) image.getRaster().getDataBuffer()).getData();
        this.graphics = image.createGraphics();
        graphics.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        graphics.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
        graphics.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        BufferedImage mask = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        this.maskPixels = ((DataBufferInt) mask.getRaster().getDataBuffer()).getData();
        this.maskGraphics = mask.createGraphics();
        maskGraphics.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_OFF);
        maskGraphics.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
        maskGraphics.setColor(Color.WHITE);
    }

    int width() {
        return width;
    }

    int height() {
        return height;
    }

    /** The image; its pixels are {@link #pixels()}. */
    BufferedImage image() {
        return image;
    }

    /** Row-major packed {@code 0xRRGGBB} pixels of the image, written in place. */
    int[] pixels() {
        return pixels;
    }

    /** Anti-aliased graphics on the image. */
    Graphics2D graphics() {
        return graphics;
    }

    /**
     * The pixels (row-major indices into the image) whose centres {@code shape} covers, restricted to the image and
     * to the box {@code [x0, x1) x [y0, y1)} that contains the shape.
     */
    int[] coverage(Shape shape, double x0, double y0, double x1, double y1) {
        int ix0 = Math.max(0, (int) Math.floor(x0));
        int iy0 = Math.max(0, (int) Math.floor(y0));
        int ix1 = Math.min(width, (int) Math.ceil(x1));
        int iy1 = Math.min(height, (int) Math.ceil(y1));
        if (ix1 <= ix0 || iy1 <= iy0) {
            return new int[0];
        }
        for (int y = iy0; y < iy1; y++) {
            Arrays.fill(maskPixels, y * width + ix0, y * width + ix1, 0);
        }
        maskGraphics.fill(shape);
        int[] out = new int[(ix1 - ix0) * (iy1 - iy0)];
        int n = 0;
        for (int y = iy0; y < iy1; y++) {
            for (int i = y * width + ix0, end = y * width + ix1; i < end; i++) {
                if (maskPixels[i] != 0) {
                    out[n++] = i;
                }
            }
        }
        return Arrays.copyOf(out, n);
    }

    /** Mean luma of the image inside a box (clipped), used to pick a colour that stands out. */
    double meanLuminance(double x0, double y0, double x1, double y1) {
        int ix0 = Math.max(0, (int) Math.floor(x0));
        int iy0 = Math.max(0, (int) Math.floor(y0));
        int ix1 = Math.min(width, (int) Math.ceil(x1));
        int iy1 = Math.min(height, (int) Math.ceil(y1));
        long sum = 0;
        long n = 0;
        for (int y = iy0; y < iy1; y++) {
            for (int i = y * width + ix0, end = y * width + ix1; i < end; i++) {
                int c = pixels[i];
                sum += 299L * Colors.red(c) + 587L * Colors.green(c) + 114L * Colors.blue(c);
                n++;
            }
        }
        return n == 0 ? 0.5 : sum / (n * 255000.0);
    }
}
