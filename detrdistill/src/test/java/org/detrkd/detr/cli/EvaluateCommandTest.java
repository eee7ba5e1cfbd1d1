package org.detrkd.detr.cli;

import static org.testng.Assert.assertEquals;

import org.detrkd.detr.train.TinyData;
import org.testng.annotations.Test;

import java.nio.file.Files;
import java.nio.file.Path;

/** {@code evaluate}: bad input gives one-line messages (exit 2). */
public class EvaluateCommandTest {

    private static String failure(String... args) {
        AssignCommandTest.Run r = AssignCommandTest.run(new EvaluateCommand(), args);
        assertEquals(r.exitCode(), 2, r.err() + r.out());
        return r.failure().getMessage();
    }

    @Test
    public void rejectsMissingFoldersAndFoldersThatAreNotRuns() throws Exception {
        String data = TinyData.folder().toString();
        assertEquals(failure("--checkpoint", "/no/such/run", "--data", data),
                "/no/such/run: no such checkpoint folder");
        Path empty = Files.createTempDirectory("detrkd-not-a-run").resolve("a/b/c");
        Files.createDirectories(empty);
        assertEquals(failure("--checkpoint", empty.toString(), "--data", data), empty + ": no spec.json in this "
                + "folder, its parent or grandparent: not a run or checkpoint folder of 'detrkd train'");
        assertEquals(failure("--checkpoint", empty.toString(), "--data", "/no/data"),
                "/no/data: no such dataset folder");
        assertEquals(failure("--checkpoint", empty.toString(), "--data", data, "--batch-size", "0"),
                "--batch-size: must be positive, got 0");
    }
}
