package org.detrkd.cli;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.detrkd.quickstart.QuickstartFixtures;
import org.detrkd.quickstart.ShippedFiles;
import org.testng.annotations.Test;

/**
 * {@code kill -9} of a running {@code detrkd quickstart} (students in two child JVMs, on the tiny data of
 * {@link QuickstartCommandTest}): both child JVMs stop within seconds by themselves (their parent watchdog), they
 * leave the folder lock free, and the rerun resumes both students from their epoch checkpoints and ends with exactly
 * the numbers and weights of an uninterrupted quickstart.
 */
public class QuickstartKillTest {
    private static final Pattern ROW = Pattern.compile("(?m)^  (teacher|plain student|DETRDistill student)\\s+"
            + "([0-9.]+) +([0-9.]+)");
    private static final String[] CELLS = {"student", "detrdistill"};

    private static List<String> args(Path out, Path shipped) {
        return List.of("quickstart", "--out", out.toString(), "--shipped", shipped.toString(), "--train",
                Integer.toString(QuickstartFixtures.TRAIN), "--val", Integer.toString(QuickstartFixtures.VAL),
                "--image-size", Integer.toString(QuickstartFixtures.IMAGE_SIZE), "--epochs", "6", "--batch-size", "4",
                "--min-teacher-ap", "0", "--threads", "1", "--jobs", "2", "--seed", "3", "--log-every", "1");
    }

    @Test
    public void childrenDieWithTheirKilledParentAndTheRerunResumesToTheUninterruptedResult() throws Exception {
        Path root = Files.createTempDirectory("detrkd-qs-kill");
        Path shipped = QuickstartFixtures.tinyShippedFolder(root.resolve("fixture"));

        Path out = root.resolve("killed");
        Process parent = start(root.resolve("killed.log"), args(out, shipped));
        // kill in the second of six epochs: both children train, each with its epoch-1 checkpoint to resume from
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        List<Path> pidFiles = List.of();
        while (parent.isAlive() && System.nanoTime() < deadline
                && (pidFiles.size() < 2 || find(out.resolve("runs"), "step-000000000004").size() < 2)) {
            Thread.sleep(10);
            pidFiles = find(out.resolve("runs"), ".pid");
        }
        assertTrue(parent.isAlive(), "the quickstart ended before the kill: " + Files.readString(root.resolve(
                "killed.log")));
        assertEquals(pidFiles.size(), 2, pidFiles.toString());
        List<ProcessHandle> children = new ArrayList<>();
        for (Path f : pidFiles) {
            long pid = Long.parseLong(Files.readString(f).strip().split(" ")[0]);
            ProcessHandle child = ProcessHandle.of(pid).orElseThrow();
            assertEquals(child.parent().map(ProcessHandle::pid).orElse(-1L), parent.pid(), "a child of the parent");
            assertTrue(ParentWatchdog.isRunning(child), "child " + pid + " runs before the kill");
            children.add(child);
        }
        assertFalse(tryLock(out), "the quickstart holds its folder lock");

        long killed = System.nanoTime();
        parent.destroyForcibly(); // SIGKILL: no shutdown hook, no finally block runs in the parent
        assertTrue(parent.waitFor(10, TimeUnit.SECONDS));
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (children.stream().anyMatch(ParentWatchdog::isRunning) && System.nanoTime() < end) {
            Thread.sleep(5);
        }
        double seconds = (System.nanoTime() - killed) / 1e9;
        assertFalse(children.stream().anyMatch(ParentWatchdog::isRunning), "children still run 10 s after the kill");
        System.out.printf(Locale.ROOT, "QuickstartKillTest: both child JVMs ended %.3f s after the parent's SIGKILL%n",
                seconds);
        assertTrue(seconds < 3, "children ended " + seconds + " s after the kill");
        for (Path f : pidFiles) {
            String log = Files.readString(f.resolveSibling(f.getFileName().toString().replace(".pid", ".log")));
            assertTrue(log.contains("is gone (end of file on standard input): stopping this child JVM (exit code 4)"),
                    log.length() > 3000 ? log.substring(log.length() - 3000) : log);
        }
        assertTrue(tryLock(out), "no orphan holds the folder lock");
        assertEquals(find(out.resolve("runs"), "step-000000000024"), List.of(), "the children stopped, not finished");
        for (String cell : CELLS) {
            assertFalse(Files.exists(out.resolve("results").resolve(cell).resolve("result.json")), cell);
        }

        Run rerun = Run.of(root.resolve("rerun.log"), args(out, shipped));
        assertEquals(rerun.code, 0, rerun.err);
        assertTrue(rerun.out.contains("students: 2 child JVMs side by side (1 thread each)"), rerun.out);
        int resumed = 0;
        for (String cell : CELLS) {
            String log = Files.readString(runs(out).resolve(cell + ".log"));
            resumed += log.contains("resumed from ") ? 1 : 0;
        }
        assertEquals(resumed, 2, "both students resumed from their checkpoints");
        try (Stream<Path> files = Files.walk(out.resolve("runs"))) {
            assertEquals(files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".tmp-")
                    || n.endsWith(".tmp")).toList(), List.of(), "temporary files left behind");
        }

        Path reference = root.resolve("uninterrupted");
        Run ref = Run.of(root.resolve("uninterrupted.log"), args(reference, shipped));
        assertEquals(ref.code, 0, ref.err);
        assertEquals(rows(rerun.out), rows(ref.out));
        for (String cell : CELLS) {
            assertEquals(ShippedFiles.sha256(finalWeights(out, cell)), ShippedFiles.sha256(finalWeights(reference,
                    cell)), cell + ": resumed and uninterrupted weights differ");
        }
    }

    private static Path finalWeights(Path out, String cell) throws Exception {
        return runs(out).resolve(cell).resolve("final-student/student.safetensors");
    }

    /** @return the one {@code runs/teacher-...} folder of a quickstart */
    private static Path runs(Path out) throws Exception {
        try (Stream<Path> s = Files.list(out.resolve("runs"))) {
            List<Path> all = s.toList();
            assertEquals(all.size(), 1, all.toString());
            return all.get(0);
        }
    }

    /** @return the paths under {@code dir} whose file name ends with {@code suffix} (none when it is missing) */
    private static List<Path> find(Path dir, String suffix) throws Exception {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList();
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            return List.of(); // a file vanished while walking (a checkpoint being renamed)
        }
    }

    private static boolean tryLock(Path out) throws Exception {
        try (FileChannel ch = FileChannel.open(out.resolve(".quickstart.lock"), StandardOpenOption.WRITE)) {
            FileLock lock = ch.tryLock();
            if (lock != null) {
                lock.release();
            }
            return lock != null;
        }
    }

    private static List<String> rows(String text) {
        Matcher m = ROW.matcher(text);
        List<String> rows = new ArrayList<>();
        while (m.find()) {
            rows.add(m.group(1) + " " + m.group(2) + " " + m.group(3));
        }
        assertEquals(rows.size(), 3, text);
        return rows;
    }

    /** {@code detrkd ARGS} in a new JVM with this one's class path, as {@code ./detrkd} starts it. */
    private static Process start(Path log, List<String> args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx2g", "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1",
                "-Dai.djl.pytorch.num_interop_threads=1", "-cp", System.getProperty("java.class.path"),
                Detrkd.class.getName()));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(log.resolveSibling(log.getFileName() + ".out")
                .toFile()).redirectError(log.toFile());
        pb.environment().put("PYTORCH_FLAVOR", "cpu");
        return pb.start();
    }

    private record Run(int code, String out, String err) {
        static Run of(Path log, List<String> args) throws Exception {
            Process p = start(log, args);
            assertTrue(p.waitFor(300, TimeUnit.SECONDS), "timed out");
            String err = Files.readString(log);
            return new Run(p.exitValue(), Files.readString(log.resolveSibling(log.getFileName() + ".out")),
                    err.length() > 4000 ? err.substring(err.length() - 4000) : err);
        }
    }
}
