package org.detrkd.cli;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.testng.annotations.Test;

/**
 * The child side of the quickstart's parent watchdog: it fires on end of file of its pipe, on the parent's death seen
 * through its PID (a zombie included), once, and not while the parent lives.
 */
public class ParentWatchdogTest {

    private static Process sleeper(String seconds) throws Exception {
        return new ProcessBuilder("sleep", seconds).start();
    }

    @Test
    public void endOfFileOnThePipeFiresAtOnce() throws Exception {
        Process parent = sleeper("60");
        try {
            PipedOutputStream writeEnd = new PipedOutputStream();
            PipedInputStream pipe = new PipedInputStream(writeEnd);
            BlockingQueue<String> fired = new ArrayBlockingQueue<>(4);
            ParentWatchdog.start(parent.pid(), pipe, 50, fired::add);
            writeEnd.write("ignored".getBytes(StandardCharsets.UTF_8));
            writeEnd.flush();
            assertEquals(fired.poll(300, TimeUnit.MILLISECONDS), null, "the parent lives and the pipe is open");
            writeEnd.close();
            assertEquals(fired.poll(5, TimeUnit.SECONDS), "end of file on standard input");
            assertEquals(fired.poll(300, TimeUnit.MILLISECONDS), null, "fires once");
        } finally {
            parent.destroyForcibly();
        }
    }

    @Test
    public void theParentsDeathFiresThroughItsPid() throws Exception {
        Process parent = sleeper("60");
        PipedInputStream open = new PipedInputStream(new PipedOutputStream()); // never closed
        BlockingQueue<String> fired = new ArrayBlockingQueue<>(4);
        ParentWatchdog.start(parent.pid(), open, 50, fired::add);
        assertEquals(fired.poll(300, TimeUnit.MILLISECONDS), null);
        parent.destroyForcibly();
        assertEquals(fired.poll(5, TimeUnit.SECONDS), "process " + parent.pid() + " is no longer alive");
    }

    @Test
    public void aZombieIsNotRunning() throws Exception {
        // the shell's background child exits at once; its parent then becomes 'sleep', which never reaps it
        Process p = new ProcessBuilder("sh", "-c", "sleep 0 & echo $!; exec sleep 30").start();
        try {
            long zombie = Long.parseLong(new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8)).readLine().strip());
            ProcessHandle h = ProcessHandle.of(zombie).orElseThrow();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (ParentWatchdog.isRunning(h) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(h.isAlive(), "the JDK counts the zombie as alive");
            assertFalse(ParentWatchdog.isRunning(h), "but it does not run");
            assertTrue(ParentWatchdog.isRunning(ProcessHandle.current()));
            assertTrue(ParentWatchdog.isRunning(p.toHandle()));

            BlockingQueue<String> fired = new ArrayBlockingQueue<>(4);
            ParentWatchdog.start(zombie, new PipedInputStream(new PipedOutputStream()), 50, fired::add);
            assertEquals(fired.poll(5, TimeUnit.SECONDS), "process " + zombie + " is no longer alive");
        } finally {
            p.destroyForcibly();
        }
    }
}
