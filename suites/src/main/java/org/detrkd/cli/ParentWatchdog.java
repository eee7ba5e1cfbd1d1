package org.detrkd.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends a child JVM soon after the JVM that started it dies, however it dies ({@code kill -9} included, which runs no
 * shutdown hook in the parent and so cannot stop its children): the parent starts the child with
 * {@code -Ddetrkd.parent-pid=PID} and a pipe on its standard input that it keeps open and never writes; the child
 * (see {@link Detrkd#main}) then watches two signals on daemon threads and halts with {@link #EXIT_PARENT_GONE} on the
 * first one:
 *
 * <ul>
 *   <li><b>end of file on standard input</b>, the primary signal: the kernel closes every descriptor of a process
 *       when it dies, the write end of the pipe included, and no other process holds that end (the JDK closes all
 *       descriptors above 2 in the processes it starts, so a sibling child does not inherit it), so the read returns
 *       end of file at once, with no polling delay and no blind spot;
 *   <li><b>the parent's process handle</b>, polled every {@link #POLL_MILLIS} ms, as a second line of defence (say a
 *       read that blocks although the pipe closed). On Linux {@link ProcessHandle#isAlive()} is true for a zombie
 *       (a dead process its own parent has not reaped yet), so {@link #isRunning} also reads the state in
 *       {@code /proc}; a handle taken while the parent lives does not follow a reused PID (the JDK compares start
 *       times).
 * </ul>
 *
 * <p>Halting at an arbitrary instant is safe because it is no different from a {@code kill -9} of the child, which
 * the run folders survive: checkpoints, {@code spec.json}, {@code distill.json} and {@code final-student/} are written
 * to temporary names and renamed into place, old checkpoints are renamed aside before they are deleted, leftover
 * temporary files are removed on the next start, and the next invocation resumes from the latest complete
 * checkpoint. {@link Runtime#halt} and not {@link System#exit}: no shutdown hook can delay or block the exit.
 *
 * <p>A launcher that sets the property must keep the child's standard input a pipe it holds open (and keep the
 * {@link Process} reachable: collecting it would close the pipe and stop the child).
 */
public final class ParentWatchdog {
    /** The system property holding the parent's PID; the watchdog runs only when it is set. */
    public static final String PROPERTY = "detrkd.parent-pid";
    /** Exit code of a child that stopped because its parent died. */
    public static final int EXIT_PARENT_GONE = 4;
    /** Interval of the process-handle check. */
    public static final long POLL_MILLIS = 1000;

    private static final Logger LOG = LoggerFactory.getLogger(ParentWatchdog.class);

    private ParentWatchdog() {
    }

    /** What the watchdog does once the parent is gone (the real one halts this JVM). */
    @FunctionalInterface
    interface Exit {
        void parentGone(String why);
    }

    /**
     * Starts the watchdog when {@link #PROPERTY} is set.
     *
     * @throws IllegalArgumentException when the property is not a PID
     */
    static void startIfRequested() {
        String value = System.getProperty(PROPERTY);
        if (value == null || value.isBlank()) {
            return;
        }
        long pid;
        try {
            pid = Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + PROPERTY + " must be a process id, got '" + value + "'", e);
        }
        start(pid, System.in, POLL_MILLIS, why -> {
            LOG.warn("the parent process (pid {}) is gone ({}): stopping this child JVM (exit code {}); rerunning "
                    + "the parent's command resumes from the last checkpoint", pid, why, EXIT_PARENT_GONE);
            System.err.flush();
            Runtime.getRuntime().halt(EXIT_PARENT_GONE);
        });
    }

    /**
     * Watches {@code parentPid} and {@code pipe} on two daemon threads; {@code exit} runs once, on the first sign
     * that the parent is gone.
     *
     * @param parentPid the parent's PID
     * @param pipe the read end of a pipe whose write end only the parent holds
     * @param pollMillis interval of the process-handle check
     * @param exit what to do then
     */
    static void start(long parentPid, InputStream pipe, long pollMillis, Exit exit) {
        AtomicBoolean fired = new AtomicBoolean();
        Exit once = why -> {
            if (fired.compareAndSet(false, true)) {
                exit.parentGone(why);
            }
        };
        // taken now, while the parent lives: a later lookup could find another process under a reused PID
        Optional<ProcessHandle> parent = ProcessHandle.of(parentPid);
        Thread pipeWatch = new Thread(() -> {
            byte[] buf = new byte[256];
            try {
                while (pipe.read(buf) >= 0) {
                    // the parent never writes; anything it might write is ignored
                }
                once.parentGone("end of file on standard input");
            } catch (IOException e) {
                once.parentGone("standard input failed: " + e.getMessage());
            }
        }, "parent-watchdog-pipe");
        Thread pidWatch = new Thread(() -> {
            while (parent.map(ParentWatchdog::isRunning).orElse(false)) {
                try {
                    Thread.sleep(pollMillis);
                } catch (InterruptedException e) {
                    return;
                }
            }
            once.parentGone("process " + parentPid + " is no longer alive");
        }, "parent-watchdog-pid");
        for (Thread t : new Thread[] {pipeWatch, pidWatch}) {
            t.setDaemon(true);
            t.start();
        }
    }

    /**
     * Whether a process still runs: alive to the JDK and, on Linux, not a zombie (a dead process whose parent has not
     * collected its exit status yet, which {@link ProcessHandle#isAlive()} counts as alive).
     *
     * @param process a process
     * @return whether it runs
     */
    public static boolean isRunning(ProcessHandle process) {
        if (!process.isAlive()) {
            return false;
        }
        Path stat = Path.of("/proc", Long.toString(process.pid()), "stat");
        try {
            String s = Files.readString(stat, StandardCharsets.UTF_8);
            int close = s.lastIndexOf(')'); // the command name in parentheses may hold spaces and parentheses
            return close < 0 || close + 2 >= s.length() || s.charAt(close + 2) != 'Z' && s.charAt(close + 2) != 'X';
        } catch (IOException | RuntimeException e) {
            // no /proc (not Linux): the JDK's answer; /proc without this process: it has just been reaped
            return !Files.isDirectory(Path.of("/proc/self")) || Files.isDirectory(stat.getParent());
        }
    }
}
