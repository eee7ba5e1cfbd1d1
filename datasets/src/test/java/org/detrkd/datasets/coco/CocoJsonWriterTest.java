package org.detrkd.datasets.coco;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.expectThrows;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.Test;

/** {@link CocoJsonWriter}: write-read round trips, byte-identical re-writes, the exact text, atomic replacement. */
public class CocoJsonWriterTest {
    private Path dir;

    @BeforeClass
    public void createDir() throws IOException {
        dir = Files.createTempDirectory("coco-writer");
    }

    @AfterClass(alwaysRun = true)
    public void deleteDir() throws IOException {
        TestFiles.deleteTree(dir);
    }

    static CocoDataset sample() {
        return new CocoDataset(
                List.of(new CocoImage(1, "a.jpg", 640, 480), new CocoImage(20000000001L, "sub/b \"q\" é.png", 3, 2)),
                List.of(new CocoCategory(5, "cat", "animal"), new CocoCategory(2, "dog", "")),
                List.of(new CocoAnnotation(9, 1, 5, 0.1, 1.0 / 3, 1e-7, 123456.789, 1e-7 * 123456.789, false),
                        new CocoAnnotation(10, 20000000001L, 2, 0, 0, 3, 2, 6, true)));
    }

    @Test
    public void roundTripGivesTheSameDataset() throws IOException {
        Path file = dir.resolve("round.json");
        CocoJsonWriter.write(sample(), file);
        assertEquals(CocoJsonReader.read(file), sample());
    }

    @Test
    public void exactText() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CocoJsonWriter.write(new CocoDataset(List.of(new CocoImage(1, "a.jpg", 640, 480)),
                List.of(new CocoCategory(5, "cat", "animal")),
                List.of(new CocoAnnotation(9, 1, 5, 0.5, 2, 10, 1e-5, 1e-4, true))), out);
        assertEquals(out.toString(StandardCharsets.UTF_8), "{\n"
                + "\"images\":[\n{\"id\":1,\"file_name\":\"a.jpg\",\"width\":640,\"height\":480}]\n"
                + ",\"categories\":[\n{\"id\":5,\"name\":\"cat\",\"supercategory\":\"animal\"}]\n"
                + ",\"annotations\":[\n{\"id\":9,\"image_id\":1,\"category_id\":5,\"bbox\":[0.5,2,10,1.0E-5],"
                + "\"area\":1.0E-4,\"iscrowd\":1}]\n}\n");
    }

    @Test
    public void rewritesAreByteIdentical() throws IOException {
        Path first = dir.resolve("first.json");
        Path second = dir.resolve("second.json");
        CocoJsonWriter.write(sample(), first);
        CocoJsonWriter.write(CocoJsonReader.read(first), second);
        assertEquals(Files.readAllBytes(second), Files.readAllBytes(first));
        CocoJsonWriter.write(sample(), first);
        assertEquals(Files.readAllBytes(first), Files.readAllBytes(second));
    }

    @Test
    public void realCocoFileRoundTrips() throws IOException {
        Path gt = TestFiles.shared().resolve("reference/coco-eval/coco_val2014_100/gt.json");
        CocoDataset real = CocoJsonReader.read(gt);
        Path file = dir.resolve("real.json");
        CocoJsonWriter.write(real, file);
        byte[] once = Files.readAllBytes(file);
        CocoDataset back = CocoJsonReader.read(file);
        assertEquals(back, real);
        CocoJsonWriter.write(back, file);
        assertEquals(Files.readAllBytes(file), once);
    }

    @Test
    public void replacesAtomicallyAndLeavesNoTemporaryFile() throws IOException {
        Path sub = dir.resolve("atomic");
        Path file = sub.resolve("instances_val.json");
        Files.createDirectories(sub);
        Files.writeString(file, "old content");
        CocoJsonWriter.write(sample(), file);
        assertEquals(CocoJsonReader.read(file), sample());
        try (Stream<Path> files = Files.list(sub)) {
            assertEquals(files.map(p -> p.getFileName().toString()).toList(), List.of("instances_val.json"));
        }
    }

    @Test
    public void nonFiniteNumbersAreRejectedAndTheTargetIsKept() throws IOException {
        Path sub = dir.resolve("nan");
        Path file = sub.resolve("instances_val.json");
        Files.createDirectories(sub);
        Files.writeString(file, "old content");
        CocoDataset bad = new CocoDataset(List.of(new CocoImage(1, "a.jpg", 4, 4)), List.of(),
                List.of(new CocoAnnotation(1, 1, 1, Double.NaN, 0, 1, 1, 1, false)));
        IllegalArgumentException e = expectThrows(IllegalArgumentException.class,
                () -> CocoJsonWriter.write(bad, file));
        assertEquals(e.getMessage(), "cannot write NaN: JSON has no NaN or infinity");
        assertEquals(Files.readString(file), "old content");
        try (Stream<Path> files = Files.list(sub)) {
            assertEquals(files.count(), 1L);
        }
    }
}
