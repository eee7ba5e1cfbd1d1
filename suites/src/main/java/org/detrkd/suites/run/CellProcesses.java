package org.detrkd.suites.run;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.detrkd.cli.ParentWatchdog;
import org.detrkd.datasets.io.InputException;
import org.detrkd.quickstart.StudentRuns;
import org.detrkd.reports.model.ResultJson;
import org.detrkd.reports.model.ResultLoader;
import org.detrkd.reports.model.ResultRecord;
import org.detrkd.suites.spec.Cell;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code detrkd run --jobs N}: up to N cells at once, each in a child JVM that runs this one cell
 * ({@code detrkd run SUITE ... --only RUN_ID}) with the parent's intra-op thread count, so a 2-core machine trains two
 * one-thread cells side by side.
 *
 * <p>Why child JVMs and not threads: DJL's PyTorch engine keeps one process-wide gradient collector and one global
 * random generator, which the training loop reseeds before every step (dropout, MGD's random masks and
 * initialisations draw from it), so two trainings in one JVM can neither overlap nor stay reproducible (see
 * {@link StudentRuns}). A child is an ordinary single-cell run: its result equals a sequential run's, it resumes from
 * the cell's last epoch checkpoint, and it halts within moments when this JVM dies, even by {@code kill -9}
 * ({@link ParentWatchdog}); its log is {@code OUT/cells/RUN_ID.log}, its PID {@code OUT/cells/RUN_ID.pid}. Cells
 * waiting for a teacher another child trains are started last (the teacher cache's lock makes them wait, not train it
 * twice).
 */
final class CellProcesses {
    private static final Logger LOG = LoggerFactory.getLogger(CellProcesses.class);
    private static final long PROGRESS_NANOS = 60_000_000_000L;
    private static final long ORPHAN_GRACE_MILLIS = 15_000;

    /**
     * What every child is told, besides its cell.
     *
     * @param suite the suite name or (absolute) file path
     * @param scale the scale id
     * @param out the output folder
     * @param teacherCache the teacher cache
     * @param dataRoot the data root
     * @param threads intra-op threads of each child
     * @param logEvery progress line interval
     * @param heapMb heap of each child
     */
    record Launch(String suite, String scale, Path out, Path teacherCache, Path dataRoot, int threads, int logEvery,
            long heapMb) {
    }

    private final Launch launch;
    private final int jobs;

    CellProcesses(Launch launch, int jobs) {
        this.launch = launch;
        this.jobs = jobs;
    }

    /**
     * Runs the cells, up to {@code jobs} at once.
     *
     * @param runner the runner of this JVM (checks the folders, records the environment of failed children)
     * @param cells resolved cells
     * @return what ran, as a sequential run reports it
     * @throws InputException when a child reports bad input (the other children are stopped)
     */
    SuiteRunner.Summary run(SuiteRunner runner, List<Cell> cells) throws IOException {
        runner.checkOwnFolders(cells);
        Path cellsDir = launch.out().toAbsolutePath().normalize().resolve("cells");
        Files.createDirectories(cellsDir);
        List<String> skipped = new ArrayList<>();
        Deque<Cell> queue = new ArrayDeque<>();
        for (Cell c : cells) {
            ResultRecord done = SuiteRunner.finishedBefore(CellTrainer.folder(launch.out(), c), c);
            if (done != null) {
                skipped.add(c.runId());
                if (SuiteRunner.needsAnalysis(done)) {
                    queue.add(c); // a child adds the analysis an older version did not record
                }
            } else {
                queue.add(c);
            }
        }
        Set<String> cachedBefore = cachedTeachers(runner, cells);
        Map<Cell, Process> running = new LinkedHashMap<>();
        List<Cell> ended = new ArrayList<>();
        Map<Cell, Long> startedAt = new LinkedHashMap<>();
        List<Double> endedSeconds = new ArrayList<>();
        Thread hook = new Thread(() -> running.values().forEach(Process::destroy), "suite-cell-children");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            long lastReport = System.nanoTime();
            while (!queue.isEmpty() || !running.isEmpty()) {
                while (running.size() < jobs && !queue.isEmpty()) {
                    Cell next = next(queue, running.keySet(), cachedBefore);
                    running.put(next, start(next));
                    startedAt.put(next, System.nanoTime());
                }
                waitForOne(running.values());
                for (Cell c : new ArrayList<>(running.keySet())) {
                    Process p = running.get(c);
                    if (!p.isAlive()) {
                        running.remove(c);
                        double seconds = (System.nanoTime() - startedAt.remove(c)) / 1e9;
                        if (!skipped.contains(c.runId())) { // not a finished cell given its analysis only
                            endedSeconds.add(seconds);
                        }
                        ended(runner, c, p.exitValue());
                        ended.add(c);
                    }
                }
                if (System.nanoTime() - lastReport > PROGRESS_NANOS) {
                    lastReport = System.nanoTime();
                    List<SuiteEta.Running> now = new ArrayList<>();
                    for (Cell c : running.keySet()) {
                        String line = lastProgress(log(c));
                        now.add(new SuiteEta.Running((lastReport - startedAt.get(c)) / 1e9, SuiteEta.cellEta(line)));
                        if (line != null) {
                            LOG.info("{} (child JVM): {}", c.runId(), SuiteEta.withoutSuiteEta(line));
                        }
                    }
                    int done = skipped.size() + (int) ended.stream().filter(e -> !skipped.contains(e.runId())).count();
                    LOG.info(SuiteEta.line(done, running.size(), queue.size(), cells.size(),
                            SuiteEta.estimate(now, queue.size(), endedSeconds, jobs)));
                }
            }
        } finally {
            running.values().forEach(Process::destroy);
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // shutting down: the hook runs
            }
        }
        return summary(runner, cells, skipped, cachedBefore);
    }

    /** The next cell: the first whose teacher is cached, absent or not being trained by a running child. */
    private static Cell next(Deque<Cell> queue, Set<Cell> running, Set<String> cached) {
        Set<String> busy = new HashSet<>();
        for (Cell r : running) {
            if (r.teacher() != null && !cached.contains(r.teacherHash())) {
                busy.add(r.teacherHash());
            }
        }
        for (Cell c : queue) {
            if (c.teacher() == null || cached.contains(c.teacherHash()) || !busy.contains(c.teacherHash())) {
                queue.remove(c);
                return c;
            }
        }
        return queue.poll();
    }

    private Process start(Cell c) throws IOException {
        Path dir = CellTrainer.folder(launch.out(), c).toAbsolutePath().normalize();
        StudentRuns.Job job = new StudentRuns.Job(c.runId(), dir, List.of());
        StudentRuns.stopOrphan(job, ORPHAN_GRACE_MILLIS);
        ProcessBuilder pb = new ProcessBuilder(command(c));
        pb.redirectInput(ProcessBuilder.Redirect.PIPE); // the child's parent watchdog: this JVM holds the pipe open
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log(c).toFile()));
        Process p = pb.start();
        StudentRuns.writePidFile(job, p.toHandle());
        LOG.info("{}: started in a child JVM (pid {}, {} thread(s)), log {}", c.runId(), p.pid(), launch.threads(),
                log(c));
        return p;
    }

    /** The child's command line: this JVM's java and class path, {@code detrkd run SUITE ... --only RUN_ID}. */
    List<String> command(Cell c) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx" + launch.heapMb() + "m");
        cmd.add("-Dai.djl.offline=" + System.getProperty("ai.djl.offline", "true"));
        cmd.add("-Dai.djl.pytorch.num_threads=" + launch.threads());
        cmd.add("-Dai.djl.pytorch.num_interop_threads=1");
        cmd.add("-D" + ParentWatchdog.PROPERTY + "=" + ProcessHandle.current().pid());
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("-DDJL_CACHE_DIR") || arg.startsWith("-Dai.djl.repository")) {
                cmd.add(arg);
            }
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "org.detrkd.cli.Detrkd", "run",
                launch.suite(), "--scale", launch.scale(), "--out", abs(launch.out()), "--teachers",
                abs(launch.teacherCache()), "--data-root", abs(launch.dataRoot()), "--threads",
                Integer.toString(launch.threads()), "--log-every", Integer.toString(launch.logEvery()), "--jobs", "1",
                "--devices", "0", "--only", c.runId()));
        return cmd;
    }

    private static String abs(Path p) {
        return p.toAbsolutePath().normalize().toString();
    }

    private Path log(Cell c) {
        Path dir = CellTrainer.folder(launch.out(), c).toAbsolutePath().normalize();
        return dir.resolveSibling(dir.getFileName() + ".log");
    }

    /** A child ended: bad input stops everything; a crash without a result is recorded as a failed cell. */
    private void ended(SuiteRunner runner, Cell c, int code) throws IOException {
        Path dir = CellTrainer.folder(launch.out(), c);
        if (code == 2) {
            throw new InputException((String) null, c.runId(), lastLine(log(c)).replaceFirst("^detrkd: ", ""), null);
        }
        boolean recorded = Files.isRegularFile(dir.resolve(ResultLoader.FILE_NAME))
                && c.specHash().equals(SuiteRunner.storedHash(dir));
        if (!recorded || code != 0 && code != 1) {
            String why = "the cell's child JVM ended with exit code " + code + " (" + lastLine(log(c)) + "); see "
                    + log(c);
            LOG.warn("{}: {}", c.runId(), why);
            if (!recorded || !ResultJson.read(dir.resolve(ResultLoader.FILE_NAME)).finished()) {
                Files.createDirectories(dir);
                ResultJson.write(dir.resolve(ResultLoader.FILE_NAME), runner.failedRecord(c, new CellFailure(why),
                        System.nanoTime()));
            }
        } else {
            LOG.info("{}: child JVM done (exit code {})", c.runId(), code);
        }
    }

    private SuiteRunner.Summary summary(SuiteRunner runner, List<Cell> cells, List<String> skipped,
            Set<String> cachedBefore) throws IOException {
        List<String> finished = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        List<ResultRecord> records = new ArrayList<>();
        for (Cell c : cells) {
            ResultRecord r = ResultJson.read(CellTrainer.folder(launch.out(), c).resolve(ResultLoader.FILE_NAME));
            records.add(r);
            if (!skipped.contains(c.runId())) {
                (r.finished() ? finished : failed).add(c.runId());
            }
        }
        Set<String> trained = cachedTeachers(runner, cells);
        trained.removeAll(cachedBefore);
        for (Cell c : cells) {
            if (c.teacher() != null && c.teacher().given() != null) {
                trained.remove(c.teacherHash()); // evaluated, not trained
            }
        }
        return new SuiteRunner.Summary(finished, skipped, failed, trained.size(), records);
    }

    private static Set<String> cachedTeachers(SuiteRunner runner, List<Cell> cells) {
        Set<String> out = new HashSet<>();
        for (Cell c : cells) {
            if (c.teacher() != null && runner.hasTeacher(c.teacher())) {
                out.add(c.teacherHash());
            }
        }
        return out;
    }

    private static void waitForOne(java.util.Collection<Process> running) throws IOException {
        if (running.isEmpty()) {
            return;
        }
        try {
            running.iterator().next().waitFor(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while cells were running", e);
        }
    }

    /** The latest progress line of a child's log ({@link Progress}'s "epoch ... step ..."), or null. */
    static String lastProgress(Path log) throws IOException {
        if (!Files.isRegularFile(log)) {
            return null;
        }
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        for (int i = lines.size() - 1; i >= 0; i--) {
            int at = lines.get(i).indexOf(": epoch ");
            if (at >= 0 && lines.get(i).contains(" step ")) {
                return lines.get(i).substring(at + 2).strip();
            }
        }
        return null;
    }

    private static String lastLine(Path log) throws IOException {
        if (!Files.isRegularFile(log)) {
            return "no log";
        }
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        for (int i = lines.size() - 1; i >= 0; i--) {
            if (!lines.get(i).isBlank()) {
                return lines.get(i).strip();
            }
        }
        return "empty log";
    }
}
