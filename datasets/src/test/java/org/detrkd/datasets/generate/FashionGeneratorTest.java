package org.detrkd.datasets.generate;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.detrkd.datasets.coco.CocoAnnotation;
import org.detrkd.datasets.coco.CocoDataset;
import org.detrkd.datasets.coco.CocoFolder;
import org.detrkd.datasets.coco.CocoJsonReader;
import org.detrkd.datasets.io.InputException;
import org.testng.SkipException;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.Test;

/**
 * The fashion benchmark: on a tiny Fashion-MNIST stand-in written here (plain IDX files, one solid rectangle per
 * item), on the real files of the Debian package when installed, and the message when files are missing.
 */
public class FashionGeneratorTest {
    private static final ShapesSpec SPEC = ShapesSpec.DEFAULTS.withSizes(6, 10).withSeed(3);
    private Path tmp;

    @BeforeClass
    public void setUp() throws IOException {
        tmp = Files.createTempDirectory("detrkd-fashion");
        Path src = Files.createDirectories(tmp.resolve("source"));
        writeItems(src, "train", 20);
        writeItems(src, "t10k", 10);
    }

    @AfterClass(alwaysRun = true)
    public void tearDown() throws IOException {
        TestFolders.delete(tmp);
    }

    /** {@code n} items, item i of class i % 10: a rectangle of level 200 at rows 4..23, columns 8..19. */
    private static void writeItems(Path dir, String prefix, int n) throws IOException {
        byte[] images = new byte[n * 28 * 28];
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) {
            labels[i] = (byte) (i % 10);
            for (int y = 4; y < 24; y++) {
                for (int x = 8; x < 20; x++) {
                    images[i * 784 + y * 28 + x] = (byte) 200;
                }
            }
        }
        IdxFiles.write(dir.resolve(prefix + "-images-idx3-ubyte"), new int[] {n, 28, 28}, images, false);
        IdxFiles.write(dir.resolve(prefix + "-labels-idx1-ubyte"), new int[] {n}, labels, false);
    }

    @Test
    public void missingFilesSayHowToGetThem() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        InputException e = expectThrows(InputException.class, () -> Generators.create("fashion", SPEC, empty));
        assertEquals(e.getMessage(), empty + ": Fashion-MNIST files not found (missing train-images-idx3-ubyte[.gz],"
                + " train-labels-idx1-ubyte[.gz], t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz]):"
                + " install them with 'apt-get install dataset-fashion-mnist' (files in"
                + " /usr/share/datasets/fashion-mnist) or pass --source DIR with the four IDX files");
    }

    @Test
    public void standInItemsGiveTightBoxesAndTheirClasses() throws IOException {
        SceneGenerator g = Generators.create("fashion", SPEC, tmp.resolve("source"));
        assertEquals(g.categories().size(), 10);
        assertEquals(g.categories().get(9).name(), "Ankle boot");
        Canvas canvas = new Canvas(128, 128);
        for (int i = 0; i < 30; i++) {
            for (GeneratedBox b : g.render(canvas, "val", SceneRandom.forImage(1, "val", i))) {
                // a 12 x 20 rectangle keeps its 3:5 shape after resizing (bilinear adds at most one pixel a side)
                assertTrue(b.x() >= 0 && b.y() >= 0 && b.x() + b.w() <= 128 && b.y() + b.h() <= 128, b.toString());
                assertEquals(b.x(), Math.rint(b.x()), "integer pixel boxes");
                boolean clipped = b.x() == 0 || b.y() == 0 || b.x() + b.w() == 128 || b.y() + b.h() == 128;
                if (!clipped && b.w() >= 12) {
                    assertEquals(b.h() / b.w(), 20.0 / 12, 0.35, b.toString());
                }
            }
        }
    }

    @Test
    public void resizingKeepsLevelsAndAveragesWhenShrinking() {
        byte[] src = new byte[28 * 28];
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                src[y * 28 + x] = (byte) ((x / 2 + y / 2) % 2 == 0 ? 0 : 200);
            }
        }
        src[0] = (byte) 100; // block (0, 0) now averages to 25
        ItemRaster same = ItemRaster.resize(src, 0, 28, 28);
        for (int i = 0; i < src.length; i++) {
            assertEquals(same.alpha()[i], Math.round((src[i] & 0xFF) * 255 / 200.0), "stretched level " + i);
        }
        ItemRaster half = ItemRaster.resize(src, 0, 28, 14);
        assertEquals(half.alpha()[0], Math.round(25 * 255 / 200.0));
        assertEquals(half.alpha()[1], 255);
        assertEquals(half.alpha()[14], 255);
        assertEquals(half.alpha()[15], 0);
        assertEquals(List.of(half.x0(), half.y0(), half.x1(), half.y1()), List.of(0, 0, 14, 14));
    }

    @Test
    public void realFashionMnistMakesADeterministicDataset() throws IOException {
        if (!Files.isRegularFile(Path.of(FashionMnist.DEFAULT_DIR, "t10k-images-idx3-ubyte.gz"))) {
            throw new SkipException("Fashion-MNIST not installed in " + FashionMnist.DEFAULT_DIR
                    + " (apt-get install dataset-fashion-mnist)");
        }
        SceneGenerator g = Generators.create("fashion", SPEC, null);
        assertEquals(g.source().get("train_items"), 60000);
        assertEquals(g.source().get("test_items"), 10000);
        DatasetMaker.Result one = DatasetMaker.make(g, tmp.resolve("real1"), 1);
        DatasetMaker.make(g, tmp.resolve("real2"), 2);
        assertEquals(TestFolders.hashes(tmp.resolve("real2")), TestFolders.hashes(tmp.resolve("real1")));
        CocoDataset val = CocoJsonReader.read(CocoFolder.open(tmp.resolve("real1")).split("val").annotations());
        assertEquals(val.images().size(), 10);
        assertEquals(val.annotations().size(), one.splits().get("val").boxes());
        for (CocoAnnotation a : val.annotations()) {
            assertTrue(a.w() >= 1 && a.h() >= 1 && a.x() + a.w() <= 128 && a.y() + a.h() <= 128, a.toString());
            assertEquals(a.area(), a.w() * a.h(), 1e-9);
        }
    }
}
