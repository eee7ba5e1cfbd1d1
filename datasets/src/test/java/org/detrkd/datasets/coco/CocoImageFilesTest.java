package org.detrkd.datasets.coco;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertNull;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.detrkd.datasets.coco.CocoValidator.Problem;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.Test;

/** {@link CocoImageFiles}: missing files, header sizes of PNG and JPEG, unknown formats, the size sample. */
public class CocoImageFilesTest {
    private static final String F = "instances_val.json";
    private Path dir;

    @BeforeClass
    public void createImages() throws IOException {
        dir = Files.createTempDirectory("coco-images");
        // five 8x6 images, except 1.png and 2.jpg which are 9x6
        for (int i = 0; i < 5; i++) {
            String format = i == 2 ? "jpg" : "png";
            BufferedImage im = new BufferedImage(i == 1 || i == 2 ? 9 : 8, 6, BufferedImage.TYPE_INT_RGB);
            ImageIO.write(im, format, dir.resolve(i + "." + format).toFile());
        }
        Files.writeString(dir.resolve("garbage.jpg"), "not an image");
    }

    @AfterClass(alwaysRun = true)
    public void deleteImages() throws IOException {
        TestFiles.deleteTree(dir);
    }

    private static CocoDataset fiveImages() {
        List<CocoImage> images = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            images.add(new CocoImage(i + 1, i + (i == 2 ? ".jpg" : ".png"), 8, 6));
        }
        return new CocoDataset(images, List.of(), List.of());
    }

    private List<String> check(CocoDataset d, int sample) {
        return CocoImageFiles.check(d, F, dir, sample).stream().map(Problem::toString).toList();
    }

    private String mismatch(int i, String ext) {
        return F + ": /images/" + i + "/file_name: image " + dir.resolve(i + ext) + " is 9x6 pixels but the file"
                + " declares 8x6";
    }

    @Test
    public void readsSizesFromHeaders() throws IOException {
        assertEquals(CocoImageFiles.readSize(dir.resolve("0.png")), new int[] {8, 6});
        assertEquals(CocoImageFiles.readSize(dir.resolve("2.jpg")), new int[] {9, 6});
        assertNull(CocoImageFiles.readSize(dir.resolve("garbage.jpg")));
    }

    @Test
    public void allImagesChecked() {
        assertEquals(check(fiveImages(), -1), List.of(mismatch(1, ".png"), mismatch(2, ".jpg")));
        assertEquals(check(fiveImages(), 5), List.of(mismatch(1, ".png"), mismatch(2, ".jpg")));
    }

    @Test
    public void sampleIsEvenlySpaced() {
        // 2 of 5: images floor(0 * 5 / 2) = 0 and floor(1 * 5 / 2) = 2
        assertEquals(check(fiveImages(), 2), List.of(mismatch(2, ".jpg")));
        // 3 of 5: images 0, 1, 3
        assertEquals(check(fiveImages(), 3), List.of(mismatch(1, ".png")));
        assertEquals(check(fiveImages(), 0), List.of());
    }

    @Test
    public void missingAndUnreadableFiles() {
        CocoDataset d = new CocoDataset(List.of(new CocoImage(1, "nope.png", 8, 6),
                new CocoImage(2, "garbage.jpg", 8, 6), new CocoImage(3, "0.png", 8, 6)), List.of(), List.of());
        assertEquals(check(d, -1), List.of(
                F + ": /images/0/file_name: image file not found: " + dir.resolve("nope.png"),
                F + ": /images/1/file_name: not a readable image (unknown format): " + dir.resolve("garbage.jpg")));
        assertEquals(CocoImageFiles.check(d, F, dir.resolve("absent"), -1).stream().map(Problem::toString).toList(),
                List.of(F + ": image folder not found: " + dir.resolve("absent")));
    }
}
