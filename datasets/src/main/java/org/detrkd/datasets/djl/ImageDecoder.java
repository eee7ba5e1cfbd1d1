package org.detrkd.datasets.djl;

import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBufferByte;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.detrkd.datasets.djl.augment.HostImage;
import org.detrkd.datasets.io.InputException;

/**
 * Decodes image files with ImageIO into planar 8-bit RGB ({@code [3, H, W]} bytes), the compact form the dataset
 * caches. 8-bit RGB, RGBA and gray images (PNG, JPEG) are read straight from the raster's byte buffer; gray is
 * replicated to three channels with its stored values (as PIL's {@code convert("RGB")} does) and alpha is
 * dropped. Anything else (palette, 16-bit) goes through {@link BufferedImage#getRGB}, which converts to 8-bit sRGB.
 */
public final class ImageDecoder {
    static {
        ImageIO.setUseCache(false);
    }

    private ImageDecoder() {}

    /**
     * A decoded image: planar {@code [3, height, width]} unsigned bytes.
     *
     * @param width width in pixels
     * @param height height in pixels
     * @param planar {@code 3 * height * width} samples, channel-first
     */
    public record Decoded(int width, int height, byte[] planar) {
        /** The image as floats on the 0..255 scale. */
        public HostImage toHostImage() {
            return HostImage.fromBytes(width, height, planar);
        }
    }

    /**
     * Reads and decodes an image file.
     *
     * @throws InputException naming the file when it is missing, unreadable or not a decodable image
     */
    public static Decoded read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new InputException(file, "", Files.exists(file) ? "not a regular file" : "image file not found");
        }
        BufferedImage image;
        try {
            image = ImageIO.read(file.toFile());
        } catch (IOException | RuntimeException e) {
            throw new InputException(file.toString(), "", "cannot decode image: " + e.getMessage(), e);
        }
        if (image == null) {
            throw new InputException(file, "", "not an image format ImageIO can read");
        }
        return toPlanar(image);
    }

    /** Converts a decoded image to planar 8-bit RGB, using the fast path when the raster allows it. */
    public static Decoded toPlanar(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        byte[] out = new byte[3 * w * h];
        if (!copyBytes(image, out)) {
            int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
            int plane = w * h;
            for (int i = 0; i < plane; i++) {
                int p = argb[i];
                out[i] = (byte) (p >>> 16);
                out[plane + i] = (byte) (p >>> 8);
                out[2 * plane + i] = (byte) p;
            }
        }
        return new Decoded(w, h, out);
    }

    /** Copies 8-bit component rasters (gray, gray+alpha, RGB, RGBA in any band order); false if not applicable. */
    private static boolean copyBytes(BufferedImage image, byte[] out) {
        Raster raster = image.getRaster();
        if (!(raster.getDataBuffer() instanceof DataBufferByte buffer)
                || !(raster.getSampleModel() instanceof ComponentSampleModel model)
                || !(image.getColorModel() instanceof ComponentColorModel colors)
                || raster.getSampleModelTranslateX() != 0 || raster.getSampleModelTranslateY() != 0
                || buffer.getNumBanks() != 1) {
            return false;
        }
        int colorBands = colors.getNumColorComponents();
        boolean srgb = colors.getColorSpace().isCS_sRGB();
        if (!((colorBands == 3 && srgb) || colorBands == 1)) {
            return false;
        }
        for (int b = 0; b < model.getNumBands(); b++) {
            if (model.getSampleSize(b) != 8) {
                return false;
            }
        }
        byte[] data = buffer.getData();
        int w = image.getWidth();
        int h = image.getHeight();
        int plane = w * h;
        int pixelStride = model.getPixelStride();
        int scanline = model.getScanlineStride();
        int[] offsets = model.getBandOffsets();
        for (int c = 0; c < 3; c++) {
            int band = colorBands == 1 ? offsets[0] : offsets[c];
            int base = buffer.getOffset() + band;
            for (int y = 0; y < h; y++) {
                int src = base + y * scanline;
                int dst = c * plane + y * w;
                for (int x = 0; x < w; x++) {
                    out[dst + x] = data[src];
                    src += pixelStride;
                }
            }
        }
        return true;
    }
}
