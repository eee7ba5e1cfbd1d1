package org.detrkd.datasets.coco;

import static org.testng.Assert.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.List;
import org.detrkd.datasets.coco.DatasetStats.AreaRanges;
import org.detrkd.datasets.coco.DatasetStats.ClassCount;
import org.detrkd.datasets.coco.DatasetStats.PerImage;
import org.detrkd.datasets.coco.DatasetStats.SizeRange;
import org.testng.annotations.Test;

/** {@link DatasetStats} on a hand-made dataset whose counts are known, area-range boundaries included. */
public class DatasetStatsTest {
    private static CocoAnnotation ann(long id, long image, long category, double area, boolean crowd) {
        // the box is 10 x 10 on purpose: the area ranges must use the area field, not w * h
        return new CocoAnnotation(id, image, category, 1, 1, 10, 10, area, crowd);
    }

    static CocoDataset handMade() {
        return new CocoDataset(
                List.of(new CocoImage(1, "a.jpg", 640, 480), new CocoImage(2, "b.jpg", 100, 50),
                        new CocoImage(3, "c.jpg", 300, 600)),
                List.of(new CocoCategory(1, "cat", "animal"), new CocoCategory(7, "dog", "animal"),
                        new CocoCategory(3, "bird", "animal")),
                List.of(ann(1, 1, 1, 1024, false), // exactly 32^2: small
                        ann(2, 1, 1, Math.nextUp(1024.0), false), // just above: medium
                        ann(3, 1, 7, 9216, false), // exactly 96^2: medium
                        ann(4, 1, 7, Math.nextUp(9216.0), true), // just above: large
                        ann(5, 2, 1, 0, false), // small
                        ann(6, 2, 7, 20000, true), // large although the box is 10 x 10
                        ann(7, 99, 42, 50, false))); // unknown image and category: small
    }

    static final DatasetStats EXPECTED = new DatasetStats("val", 3, 7, 2, new PerImage(2.0, 0, 4), 1,
            new AreaRanges(3, 2, 2), new SizeRange(100, 640, 50, 600),
            List.of(new ClassCount(1, "cat", 3), new ClassCount(7, "dog", 3), new ClassCount(3, "bird", 0),
                    new ClassCount(42, "?42", 1)));

    @Test
    public void countsOfTheHandMadeDataset() {
        assertEquals(DatasetStats.of("val", handMade()), EXPECTED);
    }

    @Test
    public void emptyDataset() {
        assertEquals(DatasetStats.of("train", new CocoDataset(List.of(), List.of(), List.of())),
                new DatasetStats("train", 0, 0, 0, new PerImage(0, 0, 0), 0, new AreaRanges(0, 0, 0),
                        new SizeRange(0, 0, 0, 0), List.of()));
    }

    @Test
    public void text() {
        assertEquals(EXPECTED.toText(), String.join("\n",
                "split val",
                "  images                3",
                "  annotations           7 (2 crowd)",
                "  boxes per image       mean 2.00, min 0, max 4",
                "  images without boxes  1",
                "  image width           100 .. 640",
                "  image height          50 .. 600",
                "  area small            3 (42.9%)  (area <= 32^2)",
                "  area medium           2 (28.6%)  (32^2 < area <= 96^2)",
                "  area large            2 (28.6%)  (area > 96^2)",
                "  classes               4",
                "    cat   3",
                "    dog   3",
                "    bird  0",
                "    ?42   1",
                ""));
    }

    @Test
    public void jsonHasTheFieldsAndReadsBack() throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        String json = EXPECTED.toJson();
        JsonNode tree = mapper.readTree(json);
        assertEquals(tree.get("split").asText(), "val");
        assertEquals(tree.get("images").asInt(), 3);
        assertEquals(tree.get("boxesPerImage").get("mean").asDouble(), 2.0);
        assertEquals(tree.get("areas").get("medium").asInt(), 2);
        assertEquals(tree.get("classes").get(3).get("name").asText(), "?42");
        assertEquals(mapper.readValue(json, DatasetStats.class), EXPECTED);
    }

    @Test
    public void sharedSmallCase() {
        // counts cross-checked with Python's json module on the same file
        CocoDataset d = CocoJsonReader.read(TestFiles.shared().resolve("reference/coco-eval/coco_val2014_100/gt.json"));
        DatasetStats s = DatasetStats.of("val2014_100", d);
        assertEquals(s.images(), 100);
        assertEquals(s.annotations(), 839);
        assertEquals(s.crowd(), 9);
        assertEquals(s.classes().get(0), new ClassCount(1, "person", 256));
        assertEquals(s.areas(), new AreaRanges(408, 243, 188));
        assertEquals(s.boxesPerImage(), new PerImage(8.39, 1, 44));
        assertEquals(s.imagesWithoutBoxes(), 0);
    }
}
