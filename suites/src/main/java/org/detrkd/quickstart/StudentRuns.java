package org.detrkd.quickstart;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.detrkd.baselines.cli.DistillCommand;
import org.detrkd.cli.ParentWatchdog;
import org.detrkd.datasets.io.InputException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * Runs the quickstart's students as {@code detrkd distill ... --json} invocations (one {@code DistillRun} each, so
 * every run folder resumes and can be inspected with {@code detrkd evaluate}), either one after the other in this JVM
 * or side by side in child JVMs with one intra-op thread each.
 *
 * <p>Why child JVMs and not two Java threads: DJL's PyTorch {@code GradientCollector} is a process-wide singleton
 * (a static "already collecting" flag: a second collector throws {@code IllegalStateException}), and the engine's
 * random generator is global too (reseeded before every step), so two trainings in one JVM can neither overlap nor
 * stay reproducible. Separate processes share nothing but the read-only teacher and data files.
 *
 * <p>Children never outlive this JVM for long, however it ends. On a normal end, an exception or SIGTERM / Ctrl-C,
 * this JVM stops them itself (a {@code finally} block and a shutdown hook). A {@code kill -9} runs neither, so each
 * child also watches its parent ({@link ParentWatchdog}: it reads a pipe on its standard input that only this JVM
 * holds open, and polls this JVM's PID) and halts within moments of its death, as a {@code kill -9} of the child
 * would, which the run folders survive (every file is written atomically; the rerun resumes from the last
 * checkpoint). The rerun also makes sure of it: each child's PID and start time are in {@code DIR.pid} beside its run
 * folder, and a child of an earlier invocation that still runs there (one started by a build without the watchdog,
 * say) is waited for and then killed before a new child trains into the same folder. The quickstart's folder lock
 * ({@code OUT/.quickstart.lock}) is an OS lock of this JVM alone: a child neither inherits the locked descriptor (the
 * JDK closes every descriptor above 2 in the processes it starts) nor the lock (POSIX record locks belong to one
 * process), so an orphaned child can never keep a rerun out.
 */
public final class StudentRuns {
    private static final Logger LOG = LoggerFactory.getLogger(StudentRuns.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PROGRESS_SECONDS = 60;
    private static final int POLL_SECONDS = 5;
    /** How long a rerun waits for a child of an earlier invocation to stop by itself before it kills it. */
    private static final long ORPHAN_GRACE_MILLIS = 15_000;
    private static final Pattern STEP = Pattern.compile(" step (\\d+/\\d+) loss (\\S+) .* eta (\\S+)$");

    private StudentRuns() {
    }

    /** Work that may fail with an I/O error. */
    @FunctionalInterface
    public interface Task {
        /** Does it. */
        void run() throws IOException;
    }

    /**
     * One student.
     *
     * @param name a short name ({@code student}, {@code detrdistill}) for logs and messages
     * @param dir the run folder
     * @param distillArgs the arguments after {@code detrkd distill} (they must include {@code --json})
     */
    public record Job(String name, Path dir, List<String> distillArgs) {}

    /**
     * What a finished {@code distill --json} reported.
     *
     * @param stats the 12 COCO statistics on val
     * @param teacherAp the teacher's val AP measured by the run's gate
     * @param steps completed steps
     * @param resumedFromStep the step this invocation started at
     * @param trainSeconds training time over all invocations
     * @param stopReason {@code epochs}, {@code time} or {@code stop-after-steps}
     * @param settings the method's resolved settings
     * @param wallSeconds wall time of this invocation
     */
    public record Outcome(double[] stats, double teacherAp, long steps, long resumedFromStep, double trainSeconds,
            String stopReason, Map<String, Object> settings, double wallSeconds) {}

    /**
     * Runs the jobs one after the other in this JVM.
     *
     * @param jobs the students
     * @return their outcomes, in order
     */
    public static List<Outcome> inProcess(List<Job> jobs) throws IOException {
        List<Outcome> outcomes = new ArrayList<>();
        for (Job job : jobs) {
            long start = System.nanoTime();
            LOG.info("student '{}': detrkd distill {}", job.name(), String.join(" ", job.distillArgs()));
            CommandLine cl = new CommandLine(new DistillCommand());
            StringWriter out = new StringWriter();
            cl.setOut(new PrintWriter(out, true));
            cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
                throw ex;
            });
            cl.setParameterExceptionHandler((ex, args) -> {
                throw new IllegalStateException("quickstart built bad distill arguments: " + ex.getMessage(), ex);
            });
            int code = cl.execute(job.distillArgs().toArray(String[]::new));
            if (code != 0) {
                throw new IllegalStateException("student '" + job.name() + "' ended with exit code " + code);
            }
            outcomes.add(parse(job, out.toString(), (System.nanoTime() - start) / 1e9));
        }
        return outcomes;
    }

    /**
     * Runs every job at once, each in a child JVM with {@code threads} intra-op threads; their logs go to
     * {@code DIR.log} and their PIDs to {@code DIR.pid} beside each run folder. A shutdown hook stops the children
     * when this JVM is interrupted, and each child stops by itself when this JVM dies without running it
     * ({@code kill -9}); the runs resume on the next invocation.
     *
     * @param jobs the students
     * @param heapMb the heap of each child
     * @param threads intra-op threads of each child (the jobs' {@code --threads} must say the same)
     * @param afterFirst work for this JVM once the first child has ended well (null: none); it also runs when all
     *     end together
     * @return their outcomes, in order
     * @throws InputException when a child reports bad input (its one-line message)
     */
    public static List<Outcome> inChildren(List<Job> jobs, long heapMb, int threads, Task afterFirst)
            throws IOException {
        List<Process> running = new ArrayList<>();
        Thread hook = new Thread(() -> running.forEach(Process::destroy), "quickstart-children");
        Runtime.getRuntime().addShutdownHook(hook);
        long start = System.nanoTime();
        try {
            for (Job job : jobs) {
                Files.createDirectories(job.dir().getParent());
                stopOrphan(job, ORPHAN_GRACE_MILLIS);
                ProcessBuilder pb = new ProcessBuilder(command(job, heapMb, threads));
                // the child's parent watchdog: this JVM holds the pipe's write end open (and never writes) until it
                // dies; 'running' keeps the Process reachable, so no collection closes it early
                pb.redirectInput(ProcessBuilder.Redirect.PIPE);
                pb.redirectOutput(stdoutFile(job).toFile());
                pb.redirectError(ProcessBuilder.Redirect.appendTo(logFile(job).toFile())); // keeps earlier invocations
                Process child = pb.start();
                running.add(child);
                writePidFile(job, child.toHandle());
                LOG.info("student '{}' in a child JVM (pid {}, {} intra-op thread(s)), log {}", job.name(),
                        child.pid(), threads, logFile(job));
            }
            monitor(jobs, running, afterFirst);
            List<Outcome> outcomes = new ArrayList<>();
            for (int i = 0; i < jobs.size(); i++) {
                Job job = jobs.get(i);
                int code = waitFor(running.get(i));
                String stdout = Files.readString(stdoutFile(job), StandardCharsets.UTF_8);
                if (code == 2) {
                    throw new InputException((String) null, "student '" + job.name() + "'", lastLine(logFile(job))
                            .replaceFirst("^detrkd: ", ""), null);
                }
                if (code != 0) {
                    throw new IOException("student '" + job.name() + "' failed (exit code " + code + "); see "
                            + logFile(job));
                }
                outcomes.add(parse(job, stdout, (System.nanoTime() - start) / 1e9));
            }
            return outcomes;
        } finally {
            running.forEach(Process::destroy);
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // already shutting down: the hook runs
            }
        }
    }

    /**
     * Waits for the children; once a minute, one line per running child (its latest step and ETA). When the first
     * child ends well while another still runs, {@code afterFirst} runs here, on the core it freed.
     */
    private static void monitor(List<Job> jobs, List<Process> running, Task afterFirst) throws IOException {
        boolean ran = afterFirst == null;
        long lastReport = System.nanoTime();
        while (running.stream().anyMatch(Process::isAlive)) {
            try {
                running.stream().filter(Process::isAlive).findFirst().orElseThrow()
                        .waitFor(POLL_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while the students were training", e);
            }
            if (!ran && running.stream().anyMatch(p -> !p.isAlive() && p.exitValue() == 0)
                    && running.stream().anyMatch(Process::isAlive)) {
                ran = true;
                afterFirst.run();
            }
            if (System.nanoTime() - lastReport > PROGRESS_SECONDS * 1_000_000_000L) {
                lastReport = System.nanoTime();
                for (int i = 0; i < jobs.size(); i++) {
                    String progress = running.get(i).isAlive() ? progress(logFile(jobs.get(i))) : null;
                    if (progress != null) {
                        LOG.info("student '{}': {}", jobs.get(i).name(), progress);
                    }
                }
            }
        }
        if (!ran && running.stream().allMatch(p -> p.exitValue() == 0)) {
            afterFirst.run();
        }
    }

    /** @return "step A/B, loss L, eta T" from the latest progress line of a child's log, or null */
    static String progress(Path log) throws IOException {
        if (!Files.isRegularFile(log)) {
            return null;
        }
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        for (int i = lines.size() - 1; i >= 0; i--) {
            Matcher m = STEP.matcher(lines.get(i));
            if (m.find()) {
                return "step " + m.group(1) + ", loss " + m.group(2) + ", eta " + m.group(3);
            }
        }
        return null;
    }

    /** @param job a student @return its child JVM's log file */
    public static Path logFile(Job job) {
        return job.dir().resolveSibling(job.dir().getFileName() + ".log");
    }

    /** @param job a student @return the file with its child JVM's PID and start time */
    public static Path pidFile(Job job) {
        return job.dir().resolveSibling(job.dir().getFileName() + ".pid");
    }

    /**
     * Writes {@code PID START_INSTANT} atomically (a reader never sees half a line).
     *
     * @param job a run (its folder names the file)
     * @param child its child JVM
     */
    public static void writePidFile(Job job, ProcessHandle child) throws IOException {
        Path file = pidFile(job);
        Path tmp = Files.createTempFile(file.getParent(), "." + file.getFileName(), ".tmp");
        Files.writeString(tmp, child.pid() + " " + child.info().startInstant().map(Instant::toString).orElse("-")
                + "\n", StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Makes sure no child JVM of an earlier invocation still trains into this job's folder: when {@code DIR.pid}
     * names a process that runs and started at the recorded instant (the same process, not a reused PID), waits up to
     * {@code graceMillis} for it to stop by itself (its parent watchdog), then kills it. The caller holds the
     * quickstart's folder lock, so that process's parent is gone.
     *
     * @param job a student
     * @param graceMillis how long to wait before the kill
     * @return whether such a process was found
     */
    public static boolean stopOrphan(Job job, long graceMillis) throws IOException {
        Path file = pidFile(job);
        if (!Files.isRegularFile(file)) {
            return false;
        }
        String[] parts = Files.readString(file, StandardCharsets.UTF_8).strip().split("\\s+");
        Optional<ProcessHandle> orphan;
        try {
            long pid = Long.parseLong(parts[0]);
            Instant started = parts.length == 2 && !parts[1].equals("-") ? Instant.parse(parts[1]) : null;
            orphan = ProcessHandle.of(pid).filter(p -> started != null && p.pid() != ProcessHandle.current().pid()
                    && started.equals(p.info().startInstant().orElse(null)) && ParentWatchdog.isRunning(p));
        } catch (NumberFormatException | DateTimeParseException e) {
            LOG.warn("{}: not 'PID START_INSTANT' ({}): ignored", file, e.getMessage());
            return false;
        }
        if (orphan.isEmpty()) {
            return false;
        }
        ProcessHandle p = orphan.get();
        LOG.warn("student '{}': the child JVM of an earlier invocation (pid {}) still runs; waiting up to {} s for it "
                + "to stop", job.name(), p.pid(), graceMillis / 1000);
        if (!awaitEnd(p, graceMillis)) {
            LOG.warn("student '{}': killing the earlier child JVM (pid {})", job.name(), p.pid());
            p.destroyForcibly();
            if (!awaitEnd(p, 10_000)) {
                throw new IOException("student '" + job.name() + "': the child JVM of an earlier invocation (pid "
                        + p.pid() + ") still runs in " + job.dir() + " and could not be stopped");
            }
        }
        return true;
    }

    private static boolean awaitEnd(ProcessHandle p, long millis) throws IOException {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        while (ParentWatchdog.isRunning(p)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for pid " + p.pid() + " to end", e);
            }
        }
        return true;
    }

    private static Path stdoutFile(Job job) {
        return job.dir().resolveSibling(job.dir().getFileName() + ".out.json");
    }

    private static int waitFor(Process p) throws IOException {
        try {
            return p.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroy();
            throw new IOException("interrupted while a student was training", e);
        }
    }

    /**
     * The child's command line: this JVM's java and class path, the CLI's main class, one intra-op thread, and this
     * JVM's PID for the child's {@link ParentWatchdog}.
     */
    static List<String> command(Job job, long heapMb, int threads) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx" + heapMb + "m");
        cmd.add("-Dai.djl.offline=" + System.getProperty("ai.djl.offline", "true"));
        cmd.add("-Dai.djl.pytorch.num_threads=" + threads);
        cmd.add("-Dai.djl.pytorch.num_interop_threads=1");
        cmd.add("-D" + ParentWatchdog.PROPERTY + "=" + ProcessHandle.current().pid());
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("-DDJL_CACHE_DIR") || arg.startsWith("-Dai.djl.repository")) {
                cmd.add(arg);
            }
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("org.detrkd.cli.Detrkd");
        cmd.add("distill");
        cmd.addAll(job.distillArgs());
        return cmd;
    }

    private static String lastLine(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        for (int i = lines.size() - 1; i >= 0; i--) {
            if (!lines.get(i).isBlank()) {
                return lines.get(i).strip();
            }
        }
        return "failed without a message; see " + log;
    }

    @SuppressWarnings("unchecked")
    private static Outcome parse(Job job, String json, double wallSeconds) throws IOException {
        int brace = json.indexOf('{');
        if (brace < 0) {
            throw new IOException("student '" + job.name() + "' printed no JSON result: " + json.strip());
        }
        JsonNode n = JSON.readTree(json.substring(brace));
        JsonNode s = n.path("stats").path("stats");
        if (!s.isArray() || s.size() != 12) {
            throw new IOException("student '" + job.name() + "': no 12 COCO statistics in its result");
        }
        double[] stats = new double[12];
        for (int i = 0; i < 12; i++) {
            stats[i] = s.get(i).asDouble();
        }
        Map<String, Object> settings = n.has("settings") ? JSON.convertValue(n.get("settings"), Map.class) : Map.of();
        LOG.info(String.format(Locale.ROOT, "student '%s': AP %.4f after %d steps (%s)", job.name(), stats[0],
                n.path("steps").asLong(), n.path("stop_reason").asText()));
        return new Outcome(stats, n.path("teacher_ap").asDouble(), n.path("steps").asLong(),
                n.path("resumed_from_step").asLong(), n.path("train_seconds").asDouble(),
                n.path("stop_reason").asText(), settings, wallSeconds);
    }
}
