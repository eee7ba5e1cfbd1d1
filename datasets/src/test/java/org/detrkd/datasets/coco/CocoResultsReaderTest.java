package org.detrkd.datasets.coco;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.detrkd.datasets.io.InputException;
import org.testng.annotations.DataProvider;
import org.testng.annotations.Test;

/** Reading and writing COCO results files: values, round trip, and one asserted message per kind of bad input. */
public class CocoResultsReaderTest {

    private static CocoDetections parse(String json) throws IOException {
        return CocoResultsReader.read(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), "dt.json");
    }

    @Test
    public void readsEntriesInFileOrderAndSkipsOtherKeys() throws IOException {
        CocoDetections d = parse("[{\"image_id\": 42, \"category_id\": 18, \"bbox\": [258.15, 41.29, 348.26, 243.78],"
                + " \"score\": 0.236, \"area\": 5, \"segmentation\": [[1, 2, 3]], \"id\": 9},\n"
                + " {\"score\": 1, \"bbox\": [0, 0, 0, 50], \"category_id\": 3.0, \"image_id\": 7, \"extra\": {\"a\": [1]}}]");
        assertEquals(d.size(), 2);
        assertEquals(d.imageId(0), 42);
        assertEquals(d.categoryId(0), 18);
        assertEquals(d.x(0), 258.15);
        assertEquals(d.y(0), 41.29);
        assertEquals(d.w(0), 348.26);
        assertEquals(d.h(0), 243.78);
        assertEquals(d.score(0), 0.236);
        assertEquals(d.imageId(1), 7);
        assertEquals(d.categoryId(1), 3);
        assertEquals(d.w(1), 0.0, "a zero width is accepted, as pycocotools does");
        assertEquals(d.score(1), 1.0);
    }

    @Test
    public void emptyListGivesNoDetections() throws IOException {
        assertEquals(parse(" [ ] ").size(), 0);
    }

    @Test
    public void writerRoundTripsExactlyAndIsDeterministic() throws IOException {
        CocoDetections d = CocoDetections.builder(1)
                .add(1, 2, 0.1 + 0.2, 3, 4.5, 1e-7, 0.35000000000000003)
                .add(9_000_000_000L, 90, 0, 0, 640, 480, 1)
                .build();
        ByteArrayOutputStream a = new ByteArrayOutputStream();
        CocoResultsWriter.write(d, a);
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        CocoResultsWriter.write(d, b);
        assertEquals(a.toString(StandardCharsets.UTF_8), b.toString(StandardCharsets.UTF_8));
        assertEquals(a.toString(StandardCharsets.UTF_8), "[\n"
                + "{\"image_id\":1,\"category_id\":2,\"bbox\":[0.30000000000000004,3,4.5,1.0E-7],"
                + "\"score\":0.35000000000000003},\n"
                + "{\"image_id\":9000000000,\"category_id\":90,\"bbox\":[0,0,640,480],\"score\":1}\n]\n");
        CocoDetections back = CocoResultsReader.read(new ByteArrayInputStream(a.toByteArray()), "x");
        assertEquals(back.size(), 2);
        for (int i = 0; i < 2; i++) {
            assertEquals(back.imageId(i), d.imageId(i));
            assertEquals(back.categoryId(i), d.categoryId(i));
            assertEquals(back.x(i), d.x(i), 0.0);
            assertEquals(back.y(i), d.y(i), 0.0);
            assertEquals(back.w(i), d.w(i), 0.0);
            assertEquals(back.h(i), d.h(i), 0.0);
            assertEquals(back.score(i), d.score(i), 0.0);
        }
    }

    @Test
    public void fileWriteIsAtomicAndReadable() throws IOException {
        Path dir = Files.createTempDirectory("results");
        Path file = dir.resolve("dt.json");
        CocoDetections d = CocoDetections.builder(1).add(5, 6, 1, 2, 3, 4, 0.5).build();
        CocoResultsWriter.write(d, file);
        CocoResultsWriter.write(d, file); // replaces
        try (var files = Files.list(dir)) {
            assertEquals(files.count(), 1L, "no temporary file left behind");
        }
        assertEquals(CocoResultsReader.read(file).score(0), 0.5);
        Files.delete(file);
        Files.delete(dir);
    }

    @Test
    public void missingFileIsInputError() {
        Path missing = Path.of("no-such-dir", "dt.json");
        InputException e = expectThrows(InputException.class, () -> CocoResultsReader.read(missing));
        assertEquals(e.getMessage(), missing + ": file not found");
    }

    @DataProvider
    public Object[][] badFiles() {
        String ok = "{\"image_id\": 1, \"category_id\": 2, \"bbox\": [1, 2, 3, 4], \"score\": 0.5}";
        return new Object[][] {
            {"[" + ok + ",\n{\"image_id\": 1, \"category_id\": 2,,}]", "dt.json: line 2, column 34: malformed JSON: "
                    + "Unexpected character (',' (code 44)): was expecting double-quote to start field name"},
            {"{\"annotations\": []}", "dt.json: (line 1): expected a JSON list of detections "
                    + "({image_id, category_id, bbox, score}), found an object"},
            {"[" + ok + ", 5]", "dt.json: /1 (line 1): expected an object, found a number"},
            {"[" + ok + ",\n" + ok + ",\n{\"image_id\": 1, \"category_id\": 2, \"score\": 0.5}]",
                "dt.json: /2 (line 3): missing required field 'bbox'"},
            {"[{\"image_id\": 1, \"bbox\": [1, 2, 3, 4], \"score\": 0.5}]",
                "dt.json: /0 (line 1): missing required field 'category_id'"},
            {"[{\"image_id\": 1.5, \"category_id\": 2, \"bbox\": [1, 2, 3, 4], \"score\": 0.5}]",
                "dt.json: /0/image_id (line 1): expected an integer id, found 1.5"},
            {"[{\"image_id\": \"1\", \"category_id\": 2, \"bbox\": [1, 2, 3, 4], \"score\": 0.5}]",
                "dt.json: /0/image_id (line 1): expected a number, found a string"},
            {"[" + ok + ",\n{\"image_id\": 1, \"category_id\": 2, \"bbox\": [1, 2, 3], \"score\": 0.5}]",
                "dt.json: /1/bbox (line 2): expected [x, y, width, height] (4 numbers), found 3 values"},
            {"[{\"image_id\": 1, \"category_id\": 2, \"bbox\": [1, 2, 3, 4, 5], \"score\": 0.5}]",
                "dt.json: /0/bbox (line 1): expected [x, y, width, height] (4 numbers), found more than 4 values"},
            {"[{\"image_id\": 1, \"category_id\": 2, \"bbox\": [1, null, 3, 4], \"score\": 0.5}]",
                "dt.json: /0/bbox (line 1): expected [x, y, width, height] (4 numbers), found null at position 1"},
            {"[{\"image_id\": 1, \"category_id\": 2, \"bbox\": {\"x\": 1}, \"score\": 0.5}]",
                "dt.json: /0/bbox (line 1): expected [x, y, width, height] (4 numbers), found an object"},
            {"[{\"image_id\": 1, \"category_id\": 2, \"bbox\": [1, 2, 1e999, 4], \"score\": 0.5}]",
                "dt.json: /0/bbox (line 1): expected finite numbers, found 1e999 at position 2"},
            {"[{\"image_id\": 1, \"category_id\": 2, \"bbox\": [1, 2, -3, 4], \"score\": 0.5}]",
                "dt.json: /0/bbox (line 1): width and height must not be negative, found width -3.0, height 4.0"},
            {"[{\"image_id\": 1, \"category_id\": 2, \"bbox\": [1, 2, 3, 4], \"score\": -1e400}]",
                "dt.json: /0/score (line 1): expected a finite number, found -1e400"},
            {"[" + ok + "] []", "dt.json: (line 1): unexpected content after the list: a list"},
            {"[" + ok, "dt.json: line 1, column 71: malformed JSON: Unexpected end-of-input: "
                    + "expected close marker for Array"},
        };
    }

    @Test(dataProvider = "badFiles")
    public void badInputNamesFilePointerAndLine(String json, String message) {
        InputException e = expectThrows(InputException.class, () -> parse(json));
        assertEquals(e.getMessage(), message);
        assertEquals(e.file(), "dt.json");
        assertFalse(e.getMessage().contains("\n"));
        assertTrue(e.location().isEmpty() || e.location().contains("line"), e.location());
    }
}
