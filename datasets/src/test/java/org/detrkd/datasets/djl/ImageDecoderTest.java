package org.detrkd.datasets.djl;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.detrkd.datasets.io.InputException;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.Test;

public class ImageDecoderTest {
    private Path dir;

    @BeforeClass
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("decoder");
    }

    @AfterClass(alwaysRun = true)
    public void tearDown() throws IOException {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static int at(ImageDecoder.Decoded d, int c, int y, int x) {
        return d.planar()[(c * d.height() + y) * d.width() + x] & 0xFF;
    }

    private ImageDecoder.Decoded roundTrip(BufferedImage image, String name) throws IOException {
        Path file = dir.resolve(name);
        ImageIO.write(image, "png", file.toFile());
        return ImageDecoder.read(file);
    }

    @Test
    public void rgbPngDecodesExactly() throws IOException {
        BufferedImage img = new BufferedImage(3, 2, BufferedImage.TYPE_3BYTE_BGR);
        img.setRGB(0, 0, 0x102030);
        img.setRGB(2, 1, 0xFF80FE);
        ImageIO.write(img, "png", dir.resolve("rgb.png").toFile());
        BufferedImage back = ImageIO.read(dir.resolve("rgb.png").toFile());
        ImageDecoder.Decoded d = ImageDecoder.toPlanar(back);
        assertEquals(d.width(), 3);
        assertEquals(d.height(), 2);
        assertEquals(new int[] {at(d, 0, 0, 0), at(d, 1, 0, 0), at(d, 2, 0, 0)}, new int[] {0x10, 0x20, 0x30});
        assertEquals(new int[] {at(d, 0, 1, 2), at(d, 1, 1, 2), at(d, 2, 1, 2)}, new int[] {0xFF, 0x80, 0xFE});
        assertEquals(at(d, 1, 0, 1), 0);
    }

    @Test
    public void rgbaDropsAlphaAndGrayIsReplicated() throws IOException {
        BufferedImage rgba = new BufferedImage(2, 2, BufferedImage.TYPE_4BYTE_ABGR);
        rgba.setRGB(1, 0, 0xFF0A0B0C);
        ImageDecoder.Decoded d = roundTrip(rgba, "rgba.png");
        assertEquals(new int[] {at(d, 0, 0, 1), at(d, 1, 0, 1), at(d, 2, 0, 1)}, new int[] {10, 11, 12});
        BufferedImage gray = new BufferedImage(2, 3, BufferedImage.TYPE_BYTE_GRAY);
        gray.getRaster().setSample(1, 2, 0, 77);
        gray.getRaster().setSample(0, 1, 0, 200);
        ImageDecoder.Decoded g = roundTrip(gray, "gray.png");
        for (int c = 0; c < 3; c++) {
            assertEquals(at(g, c, 2, 1), 77, "channel " + c);
            assertEquals(at(g, c, 1, 0), 200, "channel " + c);
            assertEquals(at(g, c, 0, 0), 0, "channel " + c);
        }
    }

    @Test
    public void otherLayoutsGoThroughGetRgb() throws IOException {
        BufferedImage bits = new BufferedImage(4, 1, BufferedImage.TYPE_BYTE_BINARY);
        bits.setRGB(2, 0, 0xFFFFFF);
        ImageDecoder.Decoded d = roundTrip(bits, "bits.png");
        assertEquals(new int[] {at(d, 0, 0, 2), at(d, 1, 0, 2), at(d, 2, 0, 2)}, new int[] {255, 255, 255});
        assertEquals(at(d, 0, 0, 1), 0);
    }

    @Test
    public void missingAndUndecodableFilesNameTheFile() throws IOException {
        Path missing = dir.resolve("nope.png");
        InputException e = expect(missing);
        assertEquals(e.getMessage(), missing + ": image file not found");
        Path text = dir.resolve("text.png");
        Files.writeString(text, "not an image");
        e = expect(text);
        assertTrue(e.getMessage().startsWith(text + ": "), e.getMessage());
    }

    private static InputException expect(Path file) {
        try {
            ImageDecoder.read(file);
        } catch (InputException e) {
            return e;
        }
        throw new AssertionError("expected an InputException for " + file);
    }
}
