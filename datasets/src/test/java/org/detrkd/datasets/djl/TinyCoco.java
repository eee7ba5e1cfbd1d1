package org.detrkd.datasets.djl;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.detrkd.datasets.coco.CocoAnnotation;
import org.detrkd.datasets.coco.CocoCategory;
import org.detrkd.datasets.coco.CocoDataset;
import org.detrkd.datasets.coco.CocoImage;
import org.detrkd.datasets.coco.CocoJsonWriter;

/**
 * A three-image COCO folder written for tests, with pixel values known in closed form.
 *
 * <pre>
 * item 0: id 11, a.png      8x6 RGB, R = 20x + y, G = 30y + x, B = 255 - 10x
 *         cat [1,2,3,2]; toothbrush [6,0,4,3] (clipped to x1 = 8); crowd person (skipped); empty box (dropped)
 * item 1: id 42, sub/b.png  5x4 gray, 40y + 10x + 5
 *         person [0,0,5,4]
 * item 2: id 7,  c.png      12x10 RGB, black with a red (255, 0, 0) rectangle exactly under its box
 *         person [2,3,4,5]
 * </pre>
 * Category ids are gapped: person 1, cat 3, toothbrush 90 (indices 0, 1, 2).
 */
final class TinyCoco {
    private TinyCoco() {}

    static int redOf(int x, int y) {
        return 20 * x + y;
    }

    static int greenOf(int x, int y) {
        return 30 * y + x;
    }

    static int blueOf(int x, int y) {
        return 255 - 10 * x;
    }

    static int grayOf(int x, int y) {
        return 40 * y + 10 * x + 5;
    }

    /** Writes the folder under {@code root} with split {@code train}. */
    static Path write(Path root) throws IOException {
        Path images = root.resolve("train");
        Files.createDirectories(images.resolve("sub"));
        BufferedImage a = new BufferedImage(8, 6, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < 6; y++) {
            for (int x = 0; x < 8; x++) {
                a.setRGB(x, y, (redOf(x, y) << 16) | (greenOf(x, y) << 8) | blueOf(x, y));
            }
        }
        ImageIO.write(a, "png", images.resolve("a.png").toFile());
        BufferedImage b = new BufferedImage(5, 4, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 5; x++) {
                b.getRaster().setSample(x, y, 0, grayOf(x, y));
            }
        }
        ImageIO.write(b, "png", images.resolve("sub/b.png").toFile());
        BufferedImage c = new BufferedImage(12, 10, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 3; y < 8; y++) {
            for (int x = 2; x < 6; x++) {
                c.setRGB(x, y, 0xFF0000);
            }
        }
        ImageIO.write(c, "png", images.resolve("c.png").toFile());
        List<CocoImage> imgs = List.of(new CocoImage(11, "a.png", 8, 6), new CocoImage(42, "sub/b.png", 5, 4),
                new CocoImage(7, "c.png", 12, 10));
        List<CocoCategory> cats = List.of(new CocoCategory(90, "toothbrush", "indoor"),
                new CocoCategory(3, "cat", "animal"), new CocoCategory(1, "person", "person"));
        List<CocoAnnotation> anns = new ArrayList<>();
        anns.add(new CocoAnnotation(1, 11, 3, 1, 2, 3, 2, 6, false));
        anns.add(new CocoAnnotation(2, 11, 90, 6, 0, 4, 3, 12, false));
        anns.add(new CocoAnnotation(3, 11, 1, 0, 0, 8, 6, 48, true));
        anns.add(new CocoAnnotation(4, 11, 1, 2, 2, 0, 3, 0, false));
        anns.add(new CocoAnnotation(5, 42, 1, 0, 0, 5, 4, 20, false));
        anns.add(new CocoAnnotation(6, 7, 1, 2, 3, 4, 5, 20, false));
        writeJson(root, new CocoDataset(imgs, cats, anns));
        return root;
    }

    static void writeJson(Path root, CocoDataset dataset) throws IOException {
        CocoJsonWriter.write(dataset, root.resolve("annotations").resolve("instances_train.json"));
    }
}
