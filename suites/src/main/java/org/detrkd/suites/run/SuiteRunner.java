package org.detrkd.suites.run;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.detrkd.datasets.io.InputException;
import org.detrkd.datasets.io.Provenance;
import org.detrkd.detr.engine.Devices;
import org.detrkd.detr.engine.MemoryStats;
import org.detrkd.reports.model.Environment;
import org.detrkd.reports.model.ResultJson;
import org.detrkd.reports.model.ResultLoader;
import org.detrkd.reports.model.ResultRecord;
import org.detrkd.suites.spec.Cell;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a list of cells into {@code OUT}: each in {@code OUT/cells/<runId>/} with {@code cell.json} (the fully
 * resolved cell and its spec hash, written first), {@code checkpoints/} (epoch checkpoints while it trains) and
 * {@code result.json} (written last, atomically, in the reports' schema). A cell whose {@code result.json} says
 * finished and whose {@code cell.json} carries the same spec hash is skipped; an unfinished cell continues from its
 * last epoch checkpoint; a folder left by a different spec of the same run id is cleared first. Teachers come from
 * the {@link TeacherCache} in {@code OUT/teachers/}. A failing cell (missing detector or method, non-finite loss) is
 * recorded as failed and the run goes on.
 */
public final class SuiteRunner {
    private static final Logger LOG = LoggerFactory.getLogger(SuiteRunner.class);
    static final String CELL_FILE = "cell.json";

    /**
     * What a run did.
     *
     * @param finished cells finished now
     * @param skipped cells already finished before
     * @param failed run ids of failed cells
     * @param teachersTrained teachers trained by this run (not found in the cache)
     * @param records the result of every selected cell, suite order
     */
    public record Summary(List<String> finished, List<String> skipped, List<String> failed, int teachersTrained,
            List<ResultRecord> records) {
    }

    private final RunContext ctx;
    private final CellFiles files;
    private final Path teacherRoot;
    private final TeacherCache teachers;
    private final CellTrainer trainer;
    private final Environment env;

    /**
     * @param out the output folder
     * @param dataRoot relative dataset paths resolve against it
     * @param threads intra-op threads (configure the engine before)
     * @param logEvery progress line every this many steps
     * @param stopAfterSteps stop as if killed after this many steps of the model in training (0: never)
     */
    public SuiteRunner(Path out, Path dataRoot, int threads, int logEvery, long stopAfterSteps) {
        this(out, out.resolve("teachers"), dataRoot, threads, logEvery, stopAfterSteps);
    }

    /**
     * @param out the output folder
     * @param teacherCache the teacher cache folder (default {@code OUT/teachers}; share it between output folders
     *     to reuse teachers across runs)
     * @param dataRoot relative dataset paths resolve against it
     * @param threads intra-op threads (configure the engine before)
     * @param logEvery progress line every this many steps
     * @param stopAfterSteps stop as if killed after this many steps of the model in training (0: never)
     */
    public SuiteRunner(Path out, Path teacherCache, Path dataRoot, int threads, int logEvery, long stopAfterSteps) {
        this(out, teacherCache, dataRoot, threads, List.of(Device.cpu()), logEvery, stopAfterSteps);
    }

    /**
     * @param out the output folder
     * @param teacherCache the teacher cache folder
     * @param dataRoot relative dataset paths resolve against it
     * @param threads intra-op threads (configure the engine before)
     * @param devices the devices every model trains on, primary first ({@code Devices.select}: the CPU, or
     *     {@code --devices N} GPUs, data-parallel when several); recorded in every result's environment
     * @param logEvery progress line every this many steps
     * @param stopAfterSteps stop as if killed after this many steps of the model in training (0: never)
     */
    public SuiteRunner(Path out, Path teacherCache, Path dataRoot, int threads, List<Device> devices, int logEvery,
            long stopAfterSteps) {
        this.ctx = new RunContext(out.toAbsolutePath().normalize(), dataRoot.toAbsolutePath().normalize(), threads,
                List.copyOf(devices), new Progress(logEvery), stopAfterSteps);
        this.files = new CellFiles(dataRoot, teacherCache);
        this.teacherRoot = teacherCache.toAbsolutePath().normalize();
        this.teachers = new TeacherCache(teacherCache.toAbsolutePath().normalize(), files);
        this.trainer = new CellTrainer(ctx, teachers, files);
        this.env = Environment.ofThisJvm(Provenance.commit(), Provenance.version(), Engine.getDjlVersion(),
                Engine.getInstance().getVersion(), Devices.names(devices), threads);
    }

    /**
     * Runs the cells.
     *
     * @throws StopRequested when asked to stop after some steps
     * @throws InputException when the data is missing or unusable
     */
    public Summary run(List<Cell> cells) throws IOException {
        for (Cell c : cells) {
            if (!CellFiles.resolved(c)) {
                throw new IllegalStateException(c.runId() + " names files whose SHA-256 is not known yet: resolve the "
                        + "cells first (SuiteRunner.files().resolve)");
            }
        }
        checkOwnFolders(cells);
        List<String> finished = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        List<ResultRecord> records = new ArrayList<>();
        for (int i = 0; i < cells.size(); i++) {
            Cell c = cells.get(i);
            Path dir = CellTrainer.folder(ctx.out(), c);
            ResultRecord done = finishedBefore(dir, c);
            if (done != null && needsAnalysis(done)) {
                LOG.info("cell {}/{} {}: finished before, without the instability and selection masks of this "
                        + "version: measuring them from its last checkpoint", i + 1, cells.size(), c.runId());
                CellAnalysis a = trainer.analyzeFinished(c);
                if (a.instability() != null) {
                    done = a.applyTo(done);
                    ResultJson.write(dir.resolve(ResultLoader.FILE_NAME), done);
                }
            }
            if (done != null) {
                LOG.info("cell {}/{} {}: finished before (same spec), skipped", i + 1, cells.size(), c.runId());
                skipped.add(c.runId());
                records.add(done);
                continue;
            }
            prepare(dir, c);
            ctx.progress().start("cell " + (i + 1) + "/" + cells.size() + " " + c.runId(),
                    laterSteps(cells.subList(i + 1, cells.size())));
            resetPeakMemory();
            long start = System.nanoTime();
            ResultRecord r;
            try {
                CellTrainer.Outcome o = trainer.run(c);
                r = ResultRecords.finished(c, o.trained(), o.analysis(), teacherCheckpoint(c), env);
                finished.add(c.runId());
                LOG.info("cell {}/{} {}: finished, AP {}", i + 1, cells.size(), c.runId(),
                        String.format(java.util.Locale.ROOT, "%.4f", r.metrics().ap()));
            } catch (CellFailure e) {
                r = failedRecord(c, e, start);
                failed.add(c.runId());
                LOG.warn("cell {}/{} {}: FAILED: {}", i + 1, cells.size(), c.runId(), e.getMessage());
            } catch (InputException | StopRequested e) {
                throw e;
            } catch (RuntimeException e) {
                LOG.error("cell " + c.runId() + " failed with an internal error", e);
                r = failedRecord(c, new CellFailure("internal error: " + e), start);
                failed.add(c.runId());
            }
            ResultJson.write(dir.resolve(ResultLoader.FILE_NAME), r);
            records.add(r);
        }
        return new Summary(finished, skipped, failed, teachers.trainedHere(), records);
    }

    /**
     * Resets the process's peak resident set size (Linux: {@code 5 > /proc/self/clear_refs} resets VmHWM), so each
     * cell's {@code peak_memory_bytes} is its own peak rather than the largest of the cells before it; elsewhere the
     * peak stays process-wide.
     */
    private static void resetPeakMemory() {
        Path clear = Path.of("/proc/self/clear_refs");
        if (Files.isWritable(clear)) {
            try {
                Files.writeString(clear, "5");
            } catch (IOException | RuntimeException e) {
                LOG.debug("cannot reset the peak RSS: {}", e.toString());
            }
        }
    }

    /** Whether a teacher is finished in the cache. */
    boolean hasTeacher(Cell.TeacherSpec t) {
        return teachers.has(t);
    }

    /**
     * Runs the cells up to {@code jobs} at once, each in a child JVM ({@link CellProcesses}); with one job, as
     * {@link #run(List)} in this JVM.
     *
     * @param cells resolved cells
     * @param jobs cells at once
     * @param suite the suite name or absolute file path the children read
     * @param heapMb each child's heap
     */
    public Summary run(List<Cell> cells, int jobs, String suite, long heapMb) throws IOException {
        if (jobs <= 1) {
            return run(cells);
        }
        for (Cell c : cells) {
            if (!CellFiles.resolved(c)) {
                throw new IllegalStateException(c.runId() + ": resolve the cells first (SuiteRunner.files())");
            }
        }
        String scale = cells.isEmpty() ? "mini" : cells.get(0).scale().id();
        return new CellProcesses(new CellProcesses.Launch(suite, scale, ctx.out(), teacherRoot, ctx.dataRoot(),
                ctx.threads(), ctx.progress().every(), heapMb), jobs).run(this, cells);
    }

    /** The files the cells start from, for {@link CellFiles#resolve} before {@link #run}. */
    public CellFiles files() {
        return files;
    }

    ResultRecord failedRecord(Cell c, CellFailure f, long startNanos) {
        return ResultRecords.failed(c, f, teacherCheckpoint(c), (System.nanoTime() - startNanos) / 1e9,
                MemoryStats.sample().peakRssBytes(), env);
    }

    private String teacherCheckpoint(Cell c) {
        try {
            return c.teacher() == null ? null : teachers.weights(c.teacher()).resolve("student.safetensors").toString();
        } catch (IOException | InputException e) {
            LOG.warn("{}: no teacher checkpoint to record ({})", c.runId(), e.getMessage());
            return null; // a given teacher that went missing: the cell's failure says so
        }
    }

    /**
     * Whether a finished result predates the cell analysis ({@link CellAnalysis}: no instability recorded), so that
     * running the suite again adds it; an analysis that failed is retried the same way.
     */
    static boolean needsAnalysis(ResultRecord r) {
        return r.finished() && r.instability() == null;
    }

    /** The earlier result of the cell when it finished with the same spec hash, else null. */
    static ResultRecord finishedBefore(Path dir, Cell c) throws IOException {
        Path result = dir.resolve(ResultLoader.FILE_NAME);
        if (!Files.isRegularFile(result) || !c.specHash().equals(storedHash(dir))) {
            return null;
        }
        ResultRecord r = ResultJson.read(result);
        return r.finished() ? r : null;
    }

    static String storedHash(Path dir) throws IOException {
        Path f = dir.resolve(CELL_FILE);
        if (!Files.isRegularFile(f)) {
            return null;
        }
        Object h = TeacherCache.JSON.readValue(f.toFile(), Map.class).get("spec_hash");
        return h == null ? null : h.toString();
    }

    /** Refuses, before anything starts, an output folder whose cell folders belong to another suite. */
    void checkOwnFolders(List<Cell> cells) throws IOException {
        for (Cell c : cells) {
            Path f = CellTrainer.folder(ctx.out(), c).resolve(CELL_FILE);
            if (Files.isRegularFile(f)) {
                Object cell = TeacherCache.JSON.readValue(f.toFile(), Map.class).get("cell");
                Object suite = cell instanceof Map<?, ?> m ? m.get("suite") : null;
                if (suite != null && !suite.equals(c.suite())) {
                    throw new InputException(f, "cell.suite", "this output folder holds cells of suite '" + suite
                            + "', not '" + c.suite() + "': use another --out (share teachers with --teachers)");
                }
            }
        }
    }

    /** Writes {@code cell.json}; clears a folder left by another spec of the same run id. */
    private static void prepare(Path dir, Cell c) throws IOException {
        String old = storedHash(dir);
        if (old != null && !old.equals(c.specHash())) {
            LOG.warn("{} held run {} with spec {} (now {}): its checkpoints and result are discarded", dir,
                    c.runId(), old, c.specHash());
            deleteTree(dir);
        }
        Files.createDirectories(dir);
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("spec_hash", c.specHash());
        doc.put("teacher_hash", c.teacherHash());
        doc.put("run_id", c.runId());
        doc.put("cell", c);
        TeacherCache.write(dir.resolve(CELL_FILE), doc);
    }

    private long laterSteps(List<Cell> later) {
        long n = 0;
        Set<String> teachersCounted = new HashSet<>();
        for (Cell c : later) {
            n += (long) c.schedule().epochs() * (c.dataset().trainImages() / Math.max(1, c.schedule().batch()));
            if (c.teacher() != null && !teachers.has(c.teacher()) && teachersCounted.add(c.teacherHash())) {
                n += (long) c.teacher().schedule().epochs() * (c.teacher().dataset().trainImages()
                        / Math.max(1, c.teacher().schedule().batch()));
            }
        }
        return n;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
