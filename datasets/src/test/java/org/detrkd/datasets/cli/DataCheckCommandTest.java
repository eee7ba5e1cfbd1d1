package org.detrkd.datasets.cli;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.detrkd.datasets.coco.CocoAnnotation;
import org.detrkd.datasets.coco.CocoCategory;
import org.detrkd.datasets.coco.CocoDataset;
import org.detrkd.datasets.coco.CocoImage;
import org.detrkd.datasets.coco.CocoJsonReader;
import org.detrkd.datasets.coco.CocoJsonWriter;
import org.detrkd.datasets.coco.DatasetStats;
import org.detrkd.datasets.io.InputException;
import org.testng.annotations.AfterMethod;
import org.testng.annotations.BeforeMethod;
import org.testng.annotations.Test;
import picocli.CommandLine;

/** {@code data check} on temporary dataset folders: exit codes, the printed statistics and the problem lines. */
public class DataCheckCommandTest {
    private Path root;
    private String out;
    private String err;

    @BeforeMethod
    public void createRoot() throws IOException {
        root = Files.createTempDirectory("data-check");
    }

    @AfterMethod(alwaysRun = true)
    public void deleteRoot() throws IOException {
        org.detrkd.datasets.coco.TestFiles.deleteTree(root);
    }

    /** Runs the command as the top-level CLI would: an InputException becomes one line and exit code 2. */
    private int run(String... args) {
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        CommandLine cli = new CommandLine(new DataCheckCommand());
        cli.setOut(new PrintWriter(o));
        cli.setErr(new PrintWriter(e));
        cli.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof InputException ie) {
                cmd.getErr().println("detrkd: " + ie.getMessage());
                cmd.getErr().flush();
                return 2;
            }
            throw ex;
        });
        int code = cli.execute(args);
        out = o.toString();
        err = e.toString();
        return code;
    }

    private static CocoDataset dataset() {
        return new CocoDataset(
                List.of(new CocoImage(1, "a.png", 40, 30), new CocoImage(2, "b.png", 20, 20),
                        new CocoImage(3, "sub/c.jpg", 16, 8)),
                List.of(new CocoCategory(1, "ball", "thing"), new CocoCategory(2, "box", "thing")),
                List.of(new CocoAnnotation(1, 1, 1, 0, 0, 40, 30, 1200, false),
                        new CocoAnnotation(2, 1, 2, 5, 5, 10, 10, 100, false),
                        new CocoAnnotation(3, 2, 2, 1, 1, 18, 18, 324, true)));
    }

    private void writeSplit(String split, CocoDataset d, boolean images) throws IOException {
        CocoJsonWriter.write(d, root.resolve("annotations").resolve("instances_" + split + ".json"));
        if (images) {
            for (CocoImage im : d.images()) {
                writeImage(root.resolve(split).resolve(im.fileName()), im.width(), im.height());
            }
        }
    }

    private static void writeImage(Path file, int w, int h) throws IOException {
        Files.createDirectories(file.getParent());
        String format = file.toString().endsWith(".png") ? "png" : "jpg";
        if (!ImageIO.write(new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB), format, file.toFile())) {
            throw new IOException("no ImageIO writer for " + format);
        }
    }

    @Test
    public void validFolderPrintsStatisticsAndExitsZero() throws IOException {
        writeSplit("val", dataset(), true);
        assertEquals(run(root.toString()), 0, err);
        assertEquals(err, "");
        assertEquals(out, "dataset " + root + "\n" + DatasetStats.of("val", dataset()).toText()
                + "valid: 0 errors, 0 warnings\n");
        assertTrue(out.contains("  annotations           3 (1 crowd)\n"), out);
    }

    @Test
    public void cocoNamesAndBothSplits() throws IOException {
        writeSplit("train2017", dataset(), true);
        writeSplit("val2017", dataset(), true);
        assertEquals(run(root.toString(), "--size-sample", "-1"), 0, err);
        assertTrue(out.contains("split train2017\n") && out.indexOf("split val2017\n") > out.indexOf("train2017"),
                out);
    }

    @Test
    public void invalidFolderPrintsProblemLinesAndExitsTwo() throws IOException {
        CocoDataset d = dataset();
        List<CocoAnnotation> anns = new ArrayList<>(d.annotations());
        anns.add(new CocoAnnotation(2, 2, 9, 0, 0, 5, 5, 25, false)); // duplicate id, unknown category
        anns.add(new CocoAnnotation(5, 2, 1, 15, 15, 10, 10, 100, false)); // 5 px outside image 2
        writeSplit("val", new CocoDataset(d.images(), d.categories(), anns), true);
        Path ann = root.resolve("annotations/instances_val.json");
        Files.delete(root.resolve("val/b.png"));
        writeImage(root.resolve("val/a.png"), 41, 30);
        assertEquals(run(root.toString(), "--size-sample", "-1"), 2);
        assertEquals(err, String.join("\n",
                ann + ": /annotations/3/id: duplicate annotation id 2 (first at /annotations/1)",
                ann + ": /annotations/3/category_id: unknown category id 9",
                ann + ": /images/0/file_name: image " + root.resolve("val/a.png")
                        + " is 41x30 pixels but the file declares 40x30",
                ann + ": /images/1/file_name: image file not found: " + root.resolve("val/b.png"),
                "warning: " + ann + ": /annotations/4/bbox: box [15, 15, 10, 10] extends 5 px outside image 2 (20x20)",
                root + ": 5 problems found; the dataset is not valid",
                ""));
        assertTrue(out.endsWith("INVALID: 4 errors, 1 warning\n"), out);
    }

    @Test
    public void warningsPassUnlessStrict() throws IOException {
        CocoDataset d = dataset();
        List<CocoAnnotation> anns = new ArrayList<>(d.annotations());
        anns.add(new CocoAnnotation(4, 3, 1, 2, 2, 0, 3, 0, false));
        writeSplit("val", new CocoDataset(d.images(), d.categories(), anns), true);
        String line = "warning: " + root.resolve("annotations/instances_val.json")
                + ": /annotations/3/bbox: box width and height must be positive, found [2, 2, 0, 3]\n";
        assertEquals(run(root.toString()), 0);
        assertEquals(err, line);
        assertEquals(run(root.toString(), "--strict"), 2);
        assertEquals(err, line + root + ": 1 problem found; the dataset is not valid\n");
    }

    @Test
    public void atMostTwentyLines() throws IOException {
        List<CocoAnnotation> anns = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            anns.add(new CocoAnnotation(i + 1, 100 + i, 1, 0, 0, 1, 1, 1, false));
        }
        CocoDataset d = dataset();
        writeSplit("val", new CocoDataset(d.images(), d.categories(), anns), true);
        assertEquals(run(root.toString()), 2);
        String[] lines = err.split("\n");
        assertEquals(lines.length, 22, err);
        assertEquals(lines[19], root.resolve("annotations/instances_val.json")
                + ": /annotations/19/image_id: unknown image id 119");
        assertEquals(lines[20], "... and 5 more");
    }

    @Test
    public void missingImagesIgnoredWithNoImages() throws IOException {
        writeSplit("val", dataset(), false);
        assertEquals(run(root.toString(), "--no-images"), 0, err);
        assertEquals(run(root.toString()), 2);
        assertEquals(err, root.resolve("annotations/instances_val.json") + ": image folder not found: "
                + root.resolve("val") + "\n" + root + ": 1 problem found; the dataset is not valid\n");
    }

    @Test
    public void unreadableSplitIsAProblemAndTheOtherSplitIsStillChecked() throws IOException {
        writeSplit("train", dataset(), true);
        Path val = root.resolve("annotations/instances_val.json");
        Files.writeString(val, "{\"images\": [}");
        assertEquals(run(root.toString()), 2);
        assertEquals(err, val + ": line 1, column 13: malformed JSON: Unexpected close marker '}': expected ']'"
                + " (for Array starting at line 1, column 12)\n"
                + root + ": 1 problem found; the dataset is not valid\n");
        assertTrue(out.contains("split train\n"), out);
    }

    @Test
    public void jsonOutput() throws IOException {
        writeSplit("val", dataset(), true);
        assertEquals(run(root.toString(), "--json"), 0, err);
        JsonNode tree = new ObjectMapper().readTree(out);
        assertTrue(tree.get("valid").asBoolean());
        assertEquals(tree.get("errors").asInt(), 0);
        assertEquals(tree.get("splits").get(0).get("split").asText(), "val");
        assertEquals(new ObjectMapper().treeToValue(tree.get("splits").get(0), DatasetStats.class),
                DatasetStats.of("val", CocoJsonReader.read(root.resolve("annotations/instances_val.json"))));
    }

    @Test
    public void folderWithoutSplitIsBadInput() throws IOException {
        Files.createDirectories(root.resolve("annotations"));
        assertEquals(run(root.toString()), 2);
        assertEquals(err, "detrkd: " + root + ": no split found: expected annotations/instances_train.json or"
                + " annotations/instances_val.json (or instances_train2017.json, instances_val2017.json)\n");
        assertEquals(run(root.resolve("nope").toString()), 2);
        assertEquals(err, "detrkd: " + root.resolve("nope") + ": dataset folder not found\n");
    }
}
