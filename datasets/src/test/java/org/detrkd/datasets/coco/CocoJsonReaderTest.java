package org.detrkd.datasets.coco;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertThrows;
import static org.testng.Assert.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.detrkd.datasets.io.InputException;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.DataProvider;
import org.testng.annotations.Test;

/** Structural errors of {@link CocoJsonReader}, with their exact messages, and reading the shared COCO cases. */
public class CocoJsonReaderTest {
    private static final String HEAD = "{\"images\": [{\"id\": 1, \"file_name\": \"a.jpg\", \"width\": 640,"
            + " \"height\": 480}],\n"
            + "\"categories\": [{\"id\": 3, \"name\": \"cat\"}],\n";

    private Path dir;

    @BeforeClass
    public void createDir() throws IOException {
        dir = Files.createTempDirectory("coco-reader");
    }

    @AfterClass(alwaysRun = true)
    public void deleteDir() throws IOException {
        TestFiles.deleteTree(dir);
    }

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
    }

    private String errorOf(String name, String text) throws IOException {
        Path file = write(name, text);
        InputException e = expectThrows(file);
        assertEquals(e.file(), file.toString());
        return e.getMessage().substring(file.toString().length() + 2);
    }

    private static InputException expectThrows(Path file) {
        try {
            CocoJsonReader.read(file);
        } catch (InputException e) {
            return e;
        }
        throw new AssertionError("no InputException for " + file);
    }

    @Test
    public void readsAValidFile() throws IOException {
        Path file = write("ok.json", HEAD + "\"annotations\": [{\"id\": 7, \"image_id\": 1, \"category_id\": 3,"
                + " \"bbox\": [1.5, 2, 30, 40.25], \"area\": 1000.5, \"iscrowd\": 0,"
                + " \"segmentation\": [[1, 2, 3, 4]]},\n"
                + "{\"id\": 8, \"image_id\": 1, \"category_id\": 3, \"bbox\": [0, 0, 10, 10], \"area\": 100,"
                + " \"iscrowd\": 1, \"segmentation\": {\"counts\": [1, 2], \"size\": [480, 640]}}],"
                + " \"info\": {\"year\": 2017}, \"licenses\": []}\n");
        CocoDataset d = CocoJsonReader.read(file);
        assertEquals(d.images(), java.util.List.of(new CocoImage(1, "a.jpg", 640, 480)));
        assertEquals(d.categories(), java.util.List.of(new CocoCategory(3, "cat", "")));
        assertEquals(d.annotations(), java.util.List.of(
                new CocoAnnotation(7, 1, 3, 1.5, 2, 30, 40.25, 1000.5, false),
                new CocoAnnotation(8, 1, 3, 0, 0, 10, 10, 100, true)));
    }

    @Test
    public void malformedJsonGivesLineAndColumn() throws IOException {
        String msg = errorOf("malformed.json", HEAD + "\"annotations\": [{\"id\": 7,, \"image_id\": 1}]}\n");
        assertEquals(msg, "line 3, column 26: malformed JSON: Unexpected character (',' (code 44)):"
                + " was expecting double-quote to start field name");
    }

    @Test
    public void truncatedFileIsMalformed() throws IOException {
        String msg = errorOf("truncated.json", HEAD + "\"annotations\": [");
        assertTrue(msg.startsWith("line 3, column 17: malformed JSON: Unexpected end-of-input"), msg);
    }

    @Test
    public void missingRequiredFieldGivesPointer() throws IOException {
        String msg = errorOf("missing.json", HEAD + "\"annotations\": [\n"
                + "{\"id\": 7, \"image_id\": 1, \"category_id\": 3,"
                + " \"area\": 5, \"iscrowd\": 0}]}\n");
        assertEquals(msg, "/annotations/0 (line 4): missing required field 'bbox'");
    }

    @Test
    public void wrongTypeGivesFieldPointer() throws IOException {
        String msg = errorOf("type.json", "{\"images\": [{\"id\": 1, \"file_name\": \"a.jpg\", \"width\": 640,"
                + " \"height\": 480},\n{\"id\": 2, \"file_name\": \"b.jpg\", \"width\": \"640\", \"height\": 480}],"
                + " \"categories\": []}");
        assertEquals(msg, "/images/1/width (line 2): expected a number, found a string");
    }

    @Test
    public void fractionalIdIsRejected() throws IOException {
        String msg = errorOf("fraction.json", "{\"images\": [{\"id\": 1.5, \"file_name\": \"a.jpg\", \"width\": 640,"
                + " \"height\": 480}], \"categories\": []}");
        assertEquals(msg, "/images/0/id (line 1): expected an integer, found 1.5");
    }

    @DataProvider
    public Object[][] badBoxes() {
        return new Object[][] {
            {"[1, 2, 3]", "found 3 numbers"},
            {"[1, 2, 3, 4, 5]", "found 5 numbers"},
            {"[1, 2, \"3\", 4]", "found an object or a nested array"},
            {"17", "found the number 17"},
        };
    }

    @Test(dataProvider = "badBoxes")
    public void bboxMustHaveFourNumbers(String box, String found) throws IOException {
        String msg = errorOf("box.json", HEAD + "\"annotations\": [\n{\"id\": 7, \"image_id\": 1, \"category_id\": 3,"
                + " \"bbox\": " + box + ", \"area\": 5, \"iscrowd\": 0}]}\n");
        assertEquals(msg, "/annotations/0/bbox (line 4): expected [x, y, width, height] (4 numbers), " + found);
    }

    @Test
    public void iscrowdMustBeZeroOrOne() throws IOException {
        String msg = errorOf("crowd.json", HEAD + "\"annotations\": [{\"id\": 7, \"image_id\": 1, \"category_id\": 3,"
                + " \"bbox\": [0, 0, 1, 1], \"area\": 1, \"iscrowd\": 2}]}");
        assertEquals(msg, "/annotations/0/iscrowd (line 3): expected 0 or 1, found the number 2");
    }

    @Test
    public void nullFieldIsRejected() throws IOException {
        String msg = errorOf("null.json", "{\"images\": [{\"id\": 1, \"file_name\": null, \"width\": 640,"
                + " \"height\": 480}], \"categories\": []}");
        assertEquals(msg, "/images/0/file_name (line 1): must not be null");
    }

    @Test
    public void missingTopLevelKeys() throws IOException {
        assertEquals(errorOf("noimages.json", "{\"categories\": [], \"annotations\": []}"),
                "missing required top-level key 'images'");
        assertEquals(errorOf("nocats.json", "{\"images\": [], \"annotations\": []}"),
                "missing required top-level key 'categories'");
    }

    @Test
    public void wrongTopLevelShapes() throws IOException {
        assertEquals(errorOf("array.json", "[{\"image_id\": 1}]"),
                "(line 1): expected a JSON object with images, categories, annotations, found an array");
        assertEquals(errorOf("empty.json", ""),
                "(line 1): expected a JSON object with images, categories, annotations, found end of file");
        assertEquals(errorOf("imagesobject.json", "{\"images\": {}, \"categories\": []}"),
                "/images (line 1): expected an array, found an object");
        assertEquals(errorOf("entry.json", "{\"images\": [3], \"categories\": []}"),
                "/images/0 (line 1): expected an object, found a number");
        assertEquals(errorOf("trailing.json", "{\"images\": [], \"categories\": []}\n{}"),
                "(line 2): unexpected content after the top-level object");
    }

    @Test
    public void missingFile() {
        Path file = dir.resolve("nope.json");
        InputException e = expectThrows(file);
        assertEquals(e.getMessage(), file + ": file not found");
    }

    @Test
    public void readsTheSharedCases() {
        Path root = TestFiles.shared().resolve("reference/coco-eval");
        assertCounts(root.resolve("coco_val2014_100/gt.json"), 100, 80, 839);
        assertCounts(root.resolve("small/gt.json"), 50, 14, 372);
        assertCounts(root.resolve("edge/gt.json"), 27, 8, 66);
        assertThrows(InputException.class, () -> CocoJsonReader.read(root.resolve("small/dt.json")));

        CocoDataset real = CocoJsonReader.read(root.resolve("coco_val2014_100/gt.json"));
        assertEquals(real.images().get(0), new CocoImage(1146, "COCO_val2014_000000001146.jpg", 427, 640));
        assertEquals(real.categories().get(0), new CocoCategory(1, "person", "person"));
        assertEquals(real.annotations().get(0),
                new CocoAnnotation(1774, 74, 18, 61.87, 276.25, 296.42, 103.18, 18234.62355, false));
        assertEquals(real.annotations().get(838),
                new CocoAnnotation(908400000632L, 632, 84, 416, 43, 153, 303, 20933, true));
    }

    private static void assertCounts(Path file, int images, int categories, int annotations) {
        CocoDataset d = CocoJsonReader.read(file);
        assertEquals(d.images().size(), images, file.toString());
        assertEquals(d.categories().size(), categories, file.toString());
        assertEquals(d.annotations().size(), annotations, file.toString());
        assertEquals(CocoValidator.validate(d, file.toString()), java.util.List.of(), file.toString());
    }
}
