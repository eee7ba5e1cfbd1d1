package org.detrkd.suites.run;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.detrkd.reports.model.ResultJson;
import org.detrkd.reports.model.ResultRecord;
import org.testng.annotations.Test;

/**
 * {@code kill -9} in the middle of a cell: a child JVM runs a 3-epoch smoke cell and is killed (SIGKILL) as soon as
 * its epoch-1 checkpoint is on disk; the same command then continues from that checkpoint and ends with exactly the
 * result of an uninterrupted run (one thread, same seed).
 */
public class KillResumeTest {
    @Test
    public void aKilledRunResumesFromItsLastEpochToTheUninterruptedResult() throws Exception {
        Path root = Files.createTempDirectory("detrkd-kill");
        Path suite = RunFixtures.write(root, "slow", "1.0e-4", 3);
        Path reference = root.resolve("reference");
        assertEquals(RunFixtures.cli(args(suite, reference, root)).code(), 0);

        Path killed = root.resolve("killed");
        Path cell = killed.resolve("cells/cond.none.seed0");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx2g", "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1",
                "-Dai.djl.pytorch.num_interop_threads=1", "-cp", System.getProperty("java.class.path"),
                RunMain.class.getName()));
        cmd.addAll(List.of(args(suite, killed, root)));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(root.resolve("child.log").toFile());
        pb.environment().put("PYTORCH_FLAVOR", "cpu");
        Process child = pb.start();
        Path epoch1 = cell.resolve("checkpoints/step-000000000004");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!Files.isDirectory(epoch1) && child.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        child.destroyForcibly(); // SIGKILL on Unix: no shutdown hooks, nothing flushed
        assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        assertTrue(Files.isDirectory(epoch1), Files.readString(root.resolve("child.log")));
        assertFalse(Files.exists(cell.resolve("result.json")), "killed before the end of epoch 3");

        RunFixtures.Outcome resumed = RunFixtures.cli(args(suite, killed, root));
        assertEquals(resumed.code(), 0, resumed.out() + resumed.err());
        ResultRecord r = ResultJson.read(cell.resolve("result.json"));
        ResultRecord u = ResultJson.read(reference.resolve("cells/cond.none.seed0/result.json"));
        assertEquals(r.history().size(), 3);
        assertEquals(r.history(), u.history());
        assertEquals(r.metrics(), u.metrics());
    }

    private static String[] args(Path suite, Path out, Path root) {
        return new String[] {"run", suite.toString(), "--scale", "smoke", "--out", out.toString(), "--data-root",
            root.toString(), "--threads", "1", "--only", "cond.none"};
    }
}
