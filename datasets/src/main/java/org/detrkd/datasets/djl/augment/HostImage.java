package org.detrkd.datasets.djl.augment;

/**
 * An RGB image held on the host as a planar float array ({@code [3, H, W]} row-major, channel-first), with
 * values on the 0..255 scale of the decoded 8-bit samples (so decoded pixels are exact in float).
 *
 * <p>Augmentations work on this type before any NDArray exists: they are plain loops over a small array, exact and
 * fast. Treat the pixel array as immutable once the image is built: operations return new images, which lets the
 * dataset share decoded images between items and threads.
 */
public final class HostImage {
    /** Number of channels, always 3 (gray images are replicated to RGB when decoded). */
    public static final int CHANNELS = 3;

    private final int width;
    private final int height;
    private final float[] pixels;

    /**
     * @param width width in pixels, positive
     * @param height height in pixels, positive
     * @param pixels planar {@code [3, height, width]} values; kept, not copied
     */
    public HostImage(int width, int height, float[] pixels) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
        }
        if (pixels.length != CHANNELS * width * height) {
            throw new IllegalArgumentException("expected " + CHANNELS * width * height + " values for a "
                    + width + "x" + height + " RGB image, got " + pixels.length);
        }
        this.width = width;
        this.height = height;
        this.pixels = pixels;
    }

    /** Converts planar 8-bit samples ({@code [3, H, W]}, unsigned) to a float image. */
    public static HostImage fromBytes(int width, int height, byte[] planar) {
        float[] px = new float[planar.length];
        for (int i = 0; i < planar.length; i++) {
            px[i] = planar[i] & 0xFF;
        }
        return new HostImage(width, height, px);
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** The planar {@code [3, H, W]} pixel array (not a copy: do not modify). */
    public float[] pixels() {
        return pixels;
    }

    /** The value of channel {@code c} at row {@code y}, column {@code x}. */
    public float get(int c, int y, int x) {
        return pixels[(c * height + y) * width + x];
    }

    /** A new image mirrored left-right: column {@code x} moves to {@code W - 1 - x}. */
    public HostImage flipHorizontal() {
        float[] out = new float[pixels.length];
        for (int row = 0; row < CHANNELS * height; row++) {
            int base = row * width;
            for (int x = 0; x < width; x++) {
                out[base + width - 1 - x] = pixels[base + x];
            }
        }
        return new HostImage(width, height, out);
    }

    /** A new image holding rows {@code [top, top + h)} and columns {@code [left, left + w)}. */
    public HostImage crop(int top, int left, int h, int w) {
        if (top < 0 || left < 0 || h <= 0 || w <= 0 || top + h > height || left + w > width) {
            throw new IllegalArgumentException("crop (top " + top + ", left " + left + ", " + w + "x" + h
                    + ") outside a " + width + "x" + height + " image");
        }
        float[] out = new float[CHANNELS * h * w];
        for (int c = 0; c < CHANNELS; c++) {
            for (int y = 0; y < h; y++) {
                System.arraycopy(pixels, (c * height + top + y) * width + left, out, (c * h + y) * w, w);
            }
        }
        return new HostImage(w, h, out);
    }
}
