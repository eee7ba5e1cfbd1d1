package org.detrkd.quickstart;

import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.testng.annotations.Test;

/**
 * A rerun's guard against a child JVM of an earlier invocation (one without the parent watchdog, say) that still runs
 * in a student's folder: the process named by {@code DIR.pid} is killed after the grace time; a reused PID (another
 * start time), a dead process and a malformed file are left alone.
 */
public class StudentRunsOrphanTest {

    private static StudentRuns.Job job(Path root) {
        return new StudentRuns.Job("student", root.resolve("student"), List.of());
    }

    @Test
    public void aStillRunningEarlierChildIsStoppedAndOthersAreLeftAlone() throws Exception {
        Path root = Files.createTempDirectory("detrkd-orphan");
        StudentRuns.Job job = job(root);
        assertFalse(StudentRuns.stopOrphan(job, 100), "no pid file");

        Process orphan = new ProcessBuilder("sleep", "60").start();
        try {
            Instant started = orphan.toHandle().info().startInstant().orElseThrow();
            Files.writeString(StudentRuns.pidFile(job), orphan.pid() + " " + started.minusSeconds(5) + "\n");
            assertFalse(StudentRuns.stopOrphan(job, 100), "same PID, another start time: another process");
            assertTrue(orphan.isAlive());
            Files.writeString(StudentRuns.pidFile(job), "not a pid\n");
            assertFalse(StudentRuns.stopOrphan(job, 100), "malformed: ignored");
            assertTrue(orphan.isAlive());

            Files.writeString(StudentRuns.pidFile(job), orphan.pid() + " " + started + "\n");
            long t0 = System.nanoTime();
            assertTrue(StudentRuns.stopOrphan(job, 300), "the earlier child is found");
            assertTrue(orphan.waitFor(5, TimeUnit.SECONDS), "and killed");
            assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(300), "after the grace time");
            assertFalse(StudentRuns.stopOrphan(job, 100), "a dead process is left alone");
        } finally {
            orphan.destroyForcibly();
        }
    }
}
