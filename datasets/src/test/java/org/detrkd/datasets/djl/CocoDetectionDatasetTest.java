package org.detrkd.datasets.djl;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.dataset.Record;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.detrkd.datasets.coco.CocoAnnotation;
import org.detrkd.datasets.coco.CocoCategory;
import org.detrkd.datasets.coco.CocoDataset;
import org.detrkd.datasets.coco.CocoImage;
import org.detrkd.datasets.djl.augment.Augmentation;
import org.detrkd.datasets.djl.augment.Augmentations;
import org.detrkd.datasets.djl.augment.HorizontalFlip;
import org.detrkd.datasets.io.InputException;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.Test;

public class CocoDetectionDatasetTest {
    private static final float[] MEAN = CocoDetectionDataset.IMAGENET_MEAN;
    private static final float[] STD = CocoDetectionDataset.IMAGENET_STD;
    private Path root;

    @BeforeClass
    public void setUp() throws IOException {
        root = TinyCoco.write(Files.createTempDirectory("tinycoco"));
    }

    @AfterClass(alwaysRun = true)
    public void tearDown() throws IOException {
        delete(root);
    }

    static void delete(Path dir) throws IOException {
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private CocoDetectionDataset dataset(Path folder, Augmentation augmentation, long seed, boolean cache) {
        return CocoDetectionDataset.builder().setRoot(folder).setSplit("train").setSampling(3, false)
                .optAugmentation(augmentation).optSeed(seed).optCacheImages(cache).build();
    }

    private static float normalised(int value, int c) {
        return (value / 255f - MEAN[c]) / STD[c];
    }

    private static void assertClose(float[] actual, double... expected) {
        assertEquals(actual.length, expected.length, "length");
        for (int i = 0; i < actual.length; i++) {
            assertEquals(actual[i], expected[i], 1e-6, "element " + i);
        }
    }

    @Test
    public void itemHoldsNormalisedPixelsAndTargets() {
        CocoDetectionDataset ds = dataset(root, Augmentation.NONE, 0, false);
        assertEquals(ds.size(), 3);
        assertEquals(ds.categories().ids(), new long[] {1, 3, 90});
        try (NDManager manager = NDManager.newBaseManager()) {
            Record r = ds.get(manager, 0);
            NDArray image = r.getData().head();
            assertEquals(image.getShape(), new Shape(3, 6, 8));
            assertEquals(image.getDataType(), DataType.FLOAT32);
            float[] px = image.toFloatArray();
            for (int y = 0; y < 6; y++) {
                for (int x = 0; x < 8; x++) {
                    int k = y * 8 + x;
                    assertEquals(px[k], normalised(TinyCoco.redOf(x, y), 0), 1e-5);
                    assertEquals(px[48 + k], normalised(TinyCoco.greenOf(x, y), 1), 1e-5);
                    assertEquals(px[96 + k], normalised(TinyCoco.blueOf(x, y), 2), 1e-5);
                }
            }
            NDList labels = r.getLabels();
            assertEquals(labels.size(), 5);
            // crowd person skipped, empty box dropped; cat id 3 -> 1, toothbrush id 90 -> 2
            assertEquals(labels.get(CocoDetectionDataset.LABEL_CLASSES).getDataType(), DataType.INT64);
            assertEquals(labels.get(CocoDetectionDataset.LABEL_CLASSES).toLongArray(), new long[] {1, 2});
            NDArray boxes = labels.get(CocoDetectionDataset.LABEL_BOXES);
            assertEquals(boxes.getShape(), new Shape(2, 4));
            // cat xyxy (1, 2, 4, 4); toothbrush (6, 0, 10, 3) clipped to (6, 0, 8, 3); image 8 x 6
            assertClose(boxes.toFloatArray(), 2.5 / 8, 3.0 / 6, 3.0 / 8, 2.0 / 6, 7.0 / 8, 1.5 / 6, 2.0 / 8, 3.0 / 6);
            assertEquals(labels.get(CocoDetectionDataset.LABEL_IMAGE_ID).getLong(), 11L);
            assertEquals(labels.get(CocoDetectionDataset.LABEL_ORIG_SIZE).toLongArray(), new long[] {6, 8});
            assertEquals(labels.get(CocoDetectionDataset.LABEL_SIZE).toLongArray(), new long[] {6, 8});
            assertEquals(ds.imageInfo(1), new CocoImage(42, "sub/b.png", 5, 4));
        }
    }

    @Test
    public void grayImagesAreReplicatedAndNormalisationIsSettable() {
        CocoDetectionDataset ds = CocoDetectionDataset.builder().setRoot(root).setSplit("train")
                .setSampling(1, false).optNormalization(new float[] {0, 0.5f, 0}, new float[] {1, 1, 0.5f}).build();
        try (NDManager manager = NDManager.newBaseManager()) {
            Record r = ds.get(manager, 1);
            float[] px = r.getData().head().toFloatArray();
            assertEquals(r.getData().head().getShape(), new Shape(3, 4, 5));
            for (int y = 0; y < 4; y++) {
                for (int x = 0; x < 5; x++) {
                    float v = TinyCoco.grayOf(x, y) / 255f;
                    assertEquals(px[y * 5 + x], v, 1e-6);
                    assertEquals(px[20 + y * 5 + x], v - 0.5f, 1e-6);
                    assertEquals(px[40 + y * 5 + x], v / 0.5f, 1e-6);
                }
            }
            assertClose(r.getLabels().get(1).toFloatArray(), 0.5, 0.5, 1, 1);
            assertEquals(r.getLabels().get(0).toLongArray(), new long[] {0});
        }
    }

    @Test
    public void flippedPixelsMoveWithTheBox() {
        CocoDetectionDataset ds = dataset(root, new HorizontalFlip(1.0), 0, false);
        try (NDManager manager = NDManager.newBaseManager()) {
            Record r = ds.get(manager, 2);
            // box x 2..6 in a 12-wide image -> 6..10 after the flip; y 3..8
            assertClose(r.getLabels().get(1).toFloatArray(), 8.0 / 12, 5.5 / 10, 4.0 / 12, 5.0 / 10);
            float[] px = r.getData().head().toFloatArray();
            for (int y = 0; y < 10; y++) {
                for (int x = 0; x < 12; x++) {
                    boolean inBox = x >= 6 && x < 10 && y >= 3 && y < 8;
                    assertEquals(px[y * 12 + x], normalised(inBox ? 255 : 0, 0), 1e-5, "red at " + x + "," + y);
                    assertEquals(px[120 + y * 12 + x], normalised(0, 1), 1e-5);
                }
            }
        }
    }

    @Test
    public void evalResizeKeepsNormalisedBoxesAndRecordsSizes() {
        CocoDetectionDataset ds = dataset(root, Augmentations.evalResize(12, 0), 0, false);
        try (NDManager manager = NDManager.newBaseManager()) {
            Record r = ds.get(manager, 0);
            assertEquals(r.getData().head().getShape(), new Shape(3, 12, 16));
            assertEquals(r.getLabels().get(CocoDetectionDataset.LABEL_SIZE).toLongArray(), new long[] {12, 16});
            assertEquals(r.getLabels().get(CocoDetectionDataset.LABEL_ORIG_SIZE).toLongArray(), new long[] {6, 8});
            assertClose(r.getLabels().get(1).toFloatArray(), 2.5 / 8, 3.0 / 6, 3.0 / 8, 2.0 / 6,
                    7.0 / 8, 1.5 / 6, 2.0 / 8, 3.0 / 6);
        }
    }

    private static String fingerprint(CocoDetectionDataset ds, NDManager manager, int index) {
        Record r = ds.get(manager, index);
        return r.getData().head().getShape() + Arrays.toString(r.getData().head().toFloatArray())
                + Arrays.toString(r.getLabels().get(1).toFloatArray())
                + Arrays.toString(r.getLabels().get(0).toLongArray());
    }

    @Test
    public void augmentationIsDeterministicPerSeedEpochAndIndex() {
        Augmentation train = Augmentations.detrTrain(List.of(6, 8, 10), 16, List.of(8, 10), 4, 8);
        CocoDetectionDataset a = dataset(root, train, 5, false);
        CocoDetectionDataset b = dataset(root, train, 5, true);
        CocoDetectionDataset other = dataset(root, train, 6, false);
        try (NDManager manager = NDManager.newBaseManager()) {
            int differentEpochs = 0;
            int differentSeeds = 0;
            for (int epoch = 0; epoch < 4; epoch++) {
                a.setEpoch(epoch);
                b.setEpoch(epoch);
                other.setEpoch(epoch);
                for (int i = 2; i >= 0; i--) {
                    String fa = fingerprint(a, manager, i);
                    assertEquals(fingerprint(b, manager, i), fa, "epoch " + epoch + " item " + i);
                    assertEquals(fingerprint(a, manager, i), fa, "repeatable");
                    a.setEpoch(epoch + 1);
                    differentEpochs += fingerprint(a, manager, i).equals(fa) ? 0 : 1;
                    a.setEpoch(epoch);
                    differentSeeds += fingerprint(other, manager, i).equals(fa) ? 0 : 1;
                }
            }
            assertTrue(differentEpochs >= 8, "items differing across epochs: " + differentEpochs + " of 12");
            assertTrue(differentSeeds >= 8, "items differing across seeds: " + differentSeeds + " of 12");
        }
    }

    @Test
    public void cachedImagesSurviveTheirManager() throws IOException {
        Path copy = TinyCoco.write(Files.createTempDirectory("tinycoco-cache"));
        try {
            CocoDetectionDataset ds = dataset(copy, Augmentation.NONE, 0, true);
            float[] first;
            try (NDManager m1 = NDManager.newBaseManager()) {
                first = ds.get(m1, 0).getData().head().toFloatArray();
            }
            Files.delete(copy.resolve("train/a.png"));
            try (NDManager m2 = NDManager.newBaseManager()) {
                NDArray again = ds.get(m2, 0).getData().head();
                assertEquals(again.getManager(), m2);
                assertEquals(again.toFloatArray(), first);
            }
        } finally {
            delete(copy);
        }
    }

    @Test
    public void missingImageFileIsAnInputErrorNamingTheFile() throws IOException {
        Path copy = TinyCoco.write(Files.createTempDirectory("tinycoco-missing"));
        try {
            Path gone = copy.resolve("train").resolve("sub/b.png");
            Files.delete(gone);
            CocoDetectionDataset ds = dataset(copy, Augmentation.NONE, 0, false);
            try (NDManager manager = NDManager.newBaseManager()) {
                InputException e = expectInput(() -> ds.get(manager, 1));
                assertEquals(e.getMessage(), gone + ": image file not found");
                assertEquals(e.file(), gone.toString());
            }
        } finally {
            delete(copy);
        }
    }

    @Test
    public void badAnnotationsAndSizesAreInputErrors() throws IOException {
        Path copy = TinyCoco.write(Files.createTempDirectory("tinycoco-bad"));
        try {
            Path json = copy.resolve("annotations/instances_train.json");
            List<CocoImage> images = List.of(new CocoImage(11, "a.png", 9, 6));
            List<CocoCategory> cats = List.of(new CocoCategory(3, "cat", ""));
            TinyCoco.writeJson(copy, new CocoDataset(images, cats,
                    List.of(new CocoAnnotation(1, 11, 4, 0, 0, 1, 1, 1, false))));
            InputException e = expectInput(() -> dataset(copy, Augmentation.NONE, 0, false));
            assertEquals(e.getMessage(), json + ": /annotations/0: unknown category_id 4");
            TinyCoco.writeJson(copy, new CocoDataset(images, cats, List.of()));
            CocoDetectionDataset ds = dataset(copy, Augmentation.NONE, 0, false);
            try (NDManager manager = NDManager.newBaseManager()) {
                e = expectInput(() -> ds.get(manager, 0));
                assertEquals(e.getMessage(), copy.resolve("train/a.png")
                        + ": decoded size 8x6 differs from the annotation file's 9x6 (image id 11)");
            }
        } finally {
            delete(copy);
        }
    }

    @Test
    public void builderChecksItsSettings() {
        IllegalArgumentException e = expectArgument(() -> CocoDetectionDataset.builder().setRoot(root)
                .setSampling(1, false).build());
        assertEquals(e.getMessage(), "setSplit(String) is required");
        e = expectArgument(() -> CocoDetectionDataset.builder().setRoot(root).setSplit("train").setSampling(1, false)
                .optNormalization(new float[] {0, 0, 0}, new float[] {1, 0, 1}).build());
        assertEquals(e.getMessage(), "std values must be positive, got 0.0");
        InputException missing = expectInput(() -> CocoDetectionDataset.builder().setRoot(root).setSplit("val")
                .setSampling(1, false).build());
        assertTrue(missing.getMessage().contains("no 'val' split"), missing.getMessage());
        assertFalse(root.resolve("val").toFile().exists());
    }

    private static InputException expectInput(Runnable r) {
        try {
            r.run();
        } catch (InputException e) {
            return e;
        }
        throw new AssertionError("expected an InputException");
    }

    private static IllegalArgumentException expectArgument(Runnable r) {
        try {
            r.run();
        } catch (IllegalArgumentException e) {
            return e;
        }
        throw new AssertionError("expected an IllegalArgumentException");
    }
}
