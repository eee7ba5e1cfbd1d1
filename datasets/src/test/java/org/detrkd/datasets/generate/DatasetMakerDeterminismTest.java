package org.detrkd.datasets.generate;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertNotEquals;
import static org.testng.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.detrkd.datasets.coco.CocoDataset;
import org.detrkd.datasets.coco.CocoFolder;
import org.detrkd.datasets.coco.CocoJsonReader;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.Test;

/** Same seed and settings give byte-identical folders whatever the thread count; another seed does not. */
public class DatasetMakerDeterminismTest {
    private static final ShapesSpec SPEC = ShapesSpec.DEFAULTS.withSizes(10, 14).withSeed(7);

    private Path tmp;
    private Map<String, String> oneThread;

    @BeforeClass
    public void makeReference() throws IOException {
        tmp = Files.createTempDirectory("detrkd-gen-det");
        DatasetMaker.make(new ShapesGenerator(SPEC), tmp.resolve("one"), 1);
        oneThread = TestFolders.hashes(tmp.resolve("one"));
    }

    @AfterClass(alwaysRun = true)
    public void cleanUp() throws IOException {
        TestFolders.delete(tmp);
    }

    @Test
    public void writesTheCocoLayout() {
        CocoFolder folder = CocoFolder.open(tmp.resolve("one"));
        assertEquals(folder.splits().stream().map(CocoFolder.Split::name).toList(), List.of("train", "val"));
        CocoDataset val = CocoJsonReader.read(folder.split("val").annotations());
        assertEquals(val.images().size(), 14);
        assertEquals(val.categories().size(), 8);
        assertEquals(val.images().get(0).fileName(), "00000001.png");
        // 2 annotation files + dataset.json + 24 PNGs
        assertEquals(oneThread.size(), 27);
        assertTrue(oneThread.containsKey("val/00000014.png"));
    }

    @Test
    public void twoThreadsGiveTheSameBytes() throws IOException {
        DatasetMaker.make(new ShapesGenerator(SPEC), tmp.resolve("two"), 2);
        assertEquals(TestFolders.hashes(tmp.resolve("two")), oneThread);
    }

    @Test
    public void aSecondRunGivesTheSameBytes() throws IOException {
        DatasetMaker.make(new ShapesGenerator(SPEC), tmp.resolve("again"), 1);
        assertEquals(TestFolders.hashes(tmp.resolve("again")), oneThread);
    }

    @Test
    public void anotherSeedGivesOtherBytes() throws IOException {
        DatasetMaker.make(new ShapesGenerator(SPEC.withSeed(8)), tmp.resolve("seed8"), 2);
        Map<String, String> other = TestFolders.hashes(tmp.resolve("seed8"));
        assertEquals(other.keySet(), oneThread.keySet());
        for (String file : List.of("annotations/instances_val.json", "train/00000001.png", "val/00000001.png",
                "dataset.json")) {
            assertNotEquals(other.get(file), oneThread.get(file), file);
        }
    }

    @Test
    public void leavesNoTemporaryFolder() throws IOException {
        try (Stream<Path> entries = Files.list(tmp)) {
            assertFalse(entries.anyMatch(p -> p.getFileName().toString().contains(".partial-")));
        }
    }

    @Test
    public void pngBytesDependOnlyOnPixels() throws IOException {
        Canvas c = new Canvas(64, 64);
        new ShapesGenerator(SPEC).render(c, "val", SceneRandom.forImage(1, "val", 3));
        try (PngEncoder a = new PngEncoder(); PngEncoder b = new PngEncoder()) {
            byte[] first = a.encode(c.image());
            assertEquals(b.encode(c.image()), first);
            assertEquals(a.encode(c.image()), first);
            // no tIME / tEXt chunks: the stream is IHDR, IDAT..., IEND
            String text = new String(first, java.nio.charset.StandardCharsets.ISO_8859_1);
            assertFalse(text.contains("tIME"));
            assertFalse(text.contains("tEXt"));
        }
    }
}
