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
 * result of an uninterrupted run (one thread, same seed; every run in a fresh JVM so that the engine state of other
 * tests in this JVM cannot change float rounding).
 */
public class KillResumeTest {
    @Test
    public void aKilledRunResumesFromItsLastEpochToTheUninterruptedResult() throws Exception {
        Path root = Files.createTempDirectory("detrkd-kill");
        Path suite = RunFixtures.write(root, "slow", "1.0e-4", 3);
        Path reference = root.resolve("reference");
        assertEquals(child(root, args(suite, reference, root), null), 0);

        Path killed = root.resolve("killed");
        Path cell = killed.resolve("cells/cond.none.seed0");
        Path epoch1 = cell.resolve("checkpoints/step-000000000004");
        child(root, args(suite, killed, root), epoch1);
        assertTrue(Files.isDirectory(epoch1), Files.readString(root.resolve("child.log")));
        assertFalse(Files.exists(cell.resolve("result.json")), "killed before the end of epoch 3");

        assertEquals(child(root, args(suite, killed, root), null), 0, Files.readString(root.resolve("child.log")));
        assertTrue(Files.readString(root.resolve("child.log")).contains("at step 4 (epoch 2)"), "resumed at epoch 2");
        ResultRecord r = ResultJson.read(cell.resolve("result.json"));
        ResultRecord u = ResultJson.read(reference.resolve("cells/cond.none.seed0/result.json"));
        assertEquals(r.history().size(), 3);
        assertEquals(r.history(), u.history());
        assertEquals(r.metrics(), u.metrics());
    }

    /**
     * Runs the CLI in a fresh JVM with one engine thread (each run starts from the same engine state, so results are
     * bit-comparable); with {@code killWhen}, kills it with SIGKILL as soon as that path exists.
     *
     * @return the exit code (that of the kill when killed)
     */
    private static int child(Path root, String[] args, Path killWhen) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx2g", "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1",
                "-Dai.djl.pytorch.num_interop_threads=1", "-cp", System.getProperty("java.class.path"),
                RunMain.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(root.resolve("child.log").toFile());
        pb.environment().put("PYTORCH_FLAVOR", "cpu");
        Process child = pb.start();
        if (killWhen != null) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!Files.isDirectory(killWhen) && child.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            child.destroyForcibly(); // SIGKILL on Unix: no shutdown hooks, nothing flushed
        }
        assertTrue(child.waitFor(180, TimeUnit.SECONDS), "child run timed out");
        return child.exitValue();
    }

    private static String[] args(Path suite, Path out, Path root) {
        return new String[] {"run", suite.toString(), "--scale", "smoke", "--out", out.toString(), "--data-root",
            root.toString(), "--threads", "1", "--only", "cond.none"};
    }
}
