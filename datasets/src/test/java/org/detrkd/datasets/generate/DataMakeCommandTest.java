package org.detrkd.datasets.generate;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import org.detrkd.datasets.cli.DataMakeCommand;
import org.detrkd.datasets.io.InputException;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.Test;
import picocli.CommandLine;

/** {@code data make}: summary, re-run of the same dataset, and the refusals (unknown name, foreign folders). */
public class DataMakeCommandTest {
    private Path tmp;

    @BeforeClass
    public void setUp() throws IOException {
        tmp = Files.createTempDirectory("detrkd-make");
    }

    @AfterClass(alwaysRun = true)
    public void tearDown() throws IOException {
        TestFolders.delete(tmp);
    }

    /** Runs the command; returns its output, or throws what it threw. */
    private static String run(String... args) throws Exception {
        DataMakeCommand command = new DataMakeCommand();
        CommandLine cli = new CommandLine(command);
        StringWriter out = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.parseArgs(args);
        assertEquals(command.call(), Integer.valueOf(0));
        return out.toString();
    }

    @Test
    public void makesAndSummarisesThenRecognisesTheSameDataset() throws Exception {
        Path out = tmp.resolve("small");
        String first = run("shapes", "--out", out.toString(), "--train", "4", "--val", "30", "--seed", "5",
                "--image-size", "128", "--threads", "2");
        Map<String, String> hashes = TestFolders.hashes(out);
        SplitStats val = DatasetMetadata.splits(DatasetMetadata.read(out.resolve("dataset.json"))).get("val");
        assertTrue(first.startsWith("made shapes dataset in " + out + " ("), first);
        assertTrue(first.contains(String.format("  val       30 images %7d boxes", val.boxes())), first);
        assertTrue(first.contains("  val boxes by COCO area: small " + val.small() + ", medium " + val.medium()
                + ", large " + val.large()), first);
        assertEquals(val.small() + val.medium() + val.large(), val.boxes());

        FileTime before = Files.getLastModifiedTime(out.resolve("dataset.json"));
        String second = run("shapes", "--out", out.toString(), "--train", "4", "--val", "30", "--seed", "5",
                "--threads", "1");
        assertTrue(second.startsWith(out + " already holds this shapes dataset (same dataset.json); nothing to do."),
                second);
        assertEquals(Files.getLastModifiedTime(out.resolve("dataset.json")), before);
        assertEquals(TestFolders.hashes(out), hashes);

        InputException e = expectThrows(InputException.class, () -> run("shapes", "--out", out.toString(),
                "--train", "4", "--val", "30", "--seed", "6"));
        assertEquals(e.getMessage(), out + ": holds a generated dataset with a different 'seed'; refusing to"
                + " overwrite it (choose another --out or delete it)");
        e = expectThrows(InputException.class, () -> run("shapes", "--out", out.toString(),
                "--train", "5", "--val", "30", "--seed", "5"));
        assertEquals(e.getMessage(), out + ": holds a generated dataset with a different 'train_size'; refusing to"
                + " overwrite it (choose another --out or delete it)");
        assertEquals(TestFolders.hashes(out), hashes);
    }

    @Test
    public void refusesAForeignNonEmptyFolder() throws Exception {
        Path out = Files.createDirectories(tmp.resolve("photos"));
        Files.writeString(out.resolve("holiday.jpg"), "not ours");
        InputException e = expectThrows(InputException.class,
                () -> run("shapes", "--out", out.toString(), "--train", "2", "--val", "2"));
        assertEquals(e.getMessage(), out + ": folder is not empty and is not a dataset made by 'detrkd data make';"
                + " refusing to overwrite it (choose another --out or empty it)");
        assertEquals(Files.readString(out.resolve("holiday.jpg")), "not ours");
        Path file = tmp.resolve("a-file");
        Files.writeString(file, "x");
        e = expectThrows(InputException.class, () -> run("shapes", "--out", file.toString(), "--val", "2"));
        assertEquals(e.getMessage(), file + ": --out exists and is not a folder; refusing to overwrite it");
    }

    @Test
    public void fillsAnEmptyFolder() throws Exception {
        Path out = Files.createDirectories(tmp.resolve("empty"));
        run("shapes", "--out", out.toString(), "--train", "0", "--val", "3", "--threads", "1");
        assertTrue(Files.isRegularFile(out.resolve("val/00000003.png")));
        assertTrue(Files.isRegularFile(out.resolve("annotations/instances_train.json")));
        assertFalse(Files.exists(out.resolve("train/00000001.png")));
    }

    @Test
    public void unknownNamesListTheKnownOnes() {
        InputException e = expectThrows(InputException.class,
                () -> run("cars", "--out", tmp.resolve("cars").toString()));
        assertEquals(e.getMessage(), "unknown dataset 'cars'; known: shapes, fashion");
        assertFalse(Files.exists(tmp.resolve("cars")));
    }

    @Test
    public void impossibleSettingsAreInputErrors() {
        InputException e = expectThrows(InputException.class,
                () -> run("shapes", "--out", tmp.resolve("x").toString(), "--image-size", "8"));
        assertEquals(e.getMessage(), "invalid generator setting: image size must be in [32, 4096], got 8");
        e = expectThrows(InputException.class,
                () -> run("shapes", "--out", tmp.resolve("x").toString(), "--source", tmp.toString()));
        assertEquals(e.getMessage(), tmp + ": --source applies to 'fashion' only; 'shapes' reads no files");
        e = expectThrows(InputException.class,
                () -> run("shapes", "--out", tmp.resolve("x").toString(), "--val", "1", "--threads", "0"));
        assertEquals(e.getMessage(), "--threads must be at least 1, got 0");
    }
}
