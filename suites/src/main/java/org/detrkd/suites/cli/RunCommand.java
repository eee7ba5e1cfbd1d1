package org.detrkd.suites.cli;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.detrkd.datasets.io.InputException;
import org.detrkd.detr.engine.Devices;
import org.detrkd.detr.engine.EngineThreads;
import org.detrkd.reports.model.ResultRecord;
import org.detrkd.reports.model.Scale;
import org.detrkd.suites.run.CellSelection;
import org.detrkd.suites.run.StopRequested;
import org.detrkd.suites.run.SuiteRunner;
import org.detrkd.suites.spec.Cell;
import org.detrkd.suites.spec.KnownNames;
import org.detrkd.suites.spec.SuiteCatalog;
import org.detrkd.suites.spec.SuiteExpander;
import org.detrkd.suites.spec.SuiteSpec;
import org.detrkd.suites.spec.SuiteValidator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code detrkd run SUITE [--scale S] [--out DIR] [--only CELLS] [--devices N] [--threads T] [--shard I/N]
 * [--teachers DIR] [--data-root DIR] [--jobs N]}: trains
 * every teacher the selected cells need once (cached in {@code OUT/teachers/<hash>/}), then each cell, and writes one
 * {@code OUT/cells/<runId>/result.json} per cell ({@link SuiteRunner}). Running the same command again resumes:
 * finished cells are skipped, an interrupted cell continues from its last epoch checkpoint. Exit code 0 when every
 * selected cell finished, 1 when some failed (their records say why), 2 for bad input (nothing started), 3 for an
 * internal error, 4 when stopped on purpose by {@code --stop-after-steps}. Before anything starts, the files the
 * scale names (backbone weights, existing teachers) are checked and hashed ({@code CellFiles}). {@code --jobs N} runs
 * N cells at once, each in a child JVM ({@code CellProcesses}).
 *
 * <p>Devices ({@link Devices#select}): by default ({@code --devices auto}) every GPU the engine sees, as many as
 * divide every batch, and the CPU with {@code --threads} intra-op threads when it sees none (or with {@code --jobs}
 * above 1, which runs cells side by side on the CPU); {@code --devices 0} forces the CPU; {@code --devices N} trains
 * on the first N GPUs the engine sees, data-parallel when {@code N > 1}
 * ({@code DataParallel}: DDP semantics, DETR's global box normaliser, per-replica BatchNorm statistics, one teacher
 * copy per GPU). More GPUs than the engine sees (on a CPU-only machine: any) is refused with exit 2, naming how many
 * it sees; so is a cell whose batch is not a multiple of N. The devices are recorded in every result's environment.
 */
@Command(name = "run", mixinStandardHelpOptions = true, versionProvider = org.detrkd.cli.VersionProvider.class,
        description = "Run a suite's cells (teachers cached, resumable) and write one result.json per cell.")
public final class RunCommand implements Callable<Integer> {
    /** Exit code when some cells failed (their records say why). */
    public static final int EXIT_CELLS_FAILED = 1;
    /** Exit code when the run stopped on purpose ({@code --stop-after-steps}); 3 is the CLI's internal error. */
    public static final int EXIT_STOPPED = 4;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "SUITE", description = "a built-in suite (table1..table7, clockdistill) or a suite file")
    String suite;

    @Option(names = "--scale", paramLabel = "S", defaultValue = "mini",
            description = "paper, mini or smoke (default: ${DEFAULT-VALUE})")
    String scale;

    @Option(names = "--out", paramLabel = "DIR", description = "output folder (default: runs/SUITE-SCALE)")
    Path out;

    @Option(names = "--only", paramLabel = "CELLS", split = ",",
            description = "only these cell ids or run ids (comma separated)")
    List<String> only = new ArrayList<>();

    @Option(names = "--devices", paramLabel = "auto|N", defaultValue = Devices.AUTO, description = "GPUs to train "
            + "on: auto (the default: every GPU the engine sees, as many as divide every batch; the CPU when it sees "
            + "none), 0 (the CPU with --threads) or N (the first N GPUs); data-parallel when more than one")
    String devices;

    @Option(names = "--threads", paramLabel = "T", description = "intra-op CPU threads (default: cores)")
    Integer threads;

    @Option(names = "--shard", paramLabel = "I/N", description = "run shard I (from 0) of N: after sorting the run "
            + "ids, the cells whose index mod N is I")
    String shard;

    @Option(names = "--teachers", paramLabel = "DIR",
            description = "the teacher cache (default: OUT/teachers); share one between output folders to train each "
                    + "teacher once across suites")
    Path teacherCache;

    @Option(names = "--data-root", paramLabel = "DIR", defaultValue = ".",
            description = "folder the suite's relative dataset paths resolve against (default: current folder)")
    Path dataRoot;

    @Option(names = "--log-every", paramLabel = "STEPS", defaultValue = "20",
            description = "progress line every this many steps (default: ${DEFAULT-VALUE})")
    int logEvery;

    @Option(names = "--jobs", paramLabel = "N", defaultValue = "1",
            description = "cells at once, each in its own child JVM with --threads intra-op threads (default: "
                    + "${DEFAULT-VALUE}: one after the other in this JVM); on 2 cores: --jobs 2 --threads 1")
    int jobs;

    @Option(names = "--stop-after-steps", paramLabel = "N", defaultValue = "0", hidden = true,
            description = "stop as if killed once the model in training has N steps (tests of resumption)")
    long stopAfterSteps;

    @Override
    public Integer call() throws Exception {
        Scale sc = SuitesShowCommand.scale(scale);
        SuiteSpec s = SuiteCatalog.resolve(suite);
        List<Cell> all = SuiteExpander.expand(s, sc);
        List<Cell> cells = CellSelection.select(all, only,
                shard == null ? null : CellSelection.Shard.parse(shard));
        int t = threads != null ? threads : EngineThreads.defaultIntraOp();
        if (t < 1) {
            throw new InputException((String) null, "--threads", "must be at least 1, got " + t, null);
        }
        if (jobs < 1) {
            throw new InputException((String) null, "--jobs", "must be at least 1, got " + jobs, null);
        }
        if (jobs > 1 && stopAfterSteps > 0) {
            throw new InputException((String) null, "--jobs", "--stop-after-steps needs --jobs 1", null);
        }
        SuiteValidator.checkPaths(s, sc, dataRoot); // COCO must exist before anything starts; generated data is made
        EngineThreads.configure(t, 1);
        Engine.getInstance(); // starts the engine with the settings above, unless it runs already
        JniUtils.setNumThreads(t); // also when it started earlier in this JVM with another count
        List<Cell> selected = cells;
        List<Device> deviceList = jobs > 1 && Devices.AUTO.equals(devices) ? List.of(Device.cpu())
                : Devices.select(devices, n -> batchesFit(selected, n));
        boolean cpu = deviceList.size() == 1 && deviceList.get(0).equals(Device.cpu());
        if (jobs > 1 && !cpu) {
            throw new InputException((String) null, "--jobs", "runs cells side by side on the CPU; with --devices "
                    + devices + " (data-parallel on GPUs) use --jobs 1", null);
        }
        checkBatches(cells, deviceList.size());
        Path dir = out != null ? out : Path.of("runs", s.id() + "-" + sc.id());
        SuiteRunner runner = new SuiteRunner(dir, teacherCache != null ? teacherCache : dir.resolve("teachers"),
                dataRoot, t, deviceList, logEvery, stopAfterSteps);
        cells = runner.files().resolve(s, sc, cells); // backbone files and given teachers: present, right, hashed
        PrintWriter w = spec.commandLine().getOut();
        w.printf(Locale.ROOT, "%s (%s): %d of %d cells into %s, %s, %d threads%s%n", s.id(), sc.id(), cells.size(),
                all.size(), dir, cpu ? "CPU" : String.join(" + ", Devices.names(deviceList))
                        + (deviceList.size() > 1 ? " (data-parallel)" : ""), t,
                jobs > 1 ? String.format(Locale.ROOT, " x %d jobs (child JVMs)", jobs) : "");
        w.flush();
        SuiteRunner.Summary summary;
        try {
            summary = runner.run(cells, jobs, KnownNames.SUITES.contains(suite) ? suite
                    : Path.of(suite).toAbsolutePath().normalize().toString(), childHeapMb());
        } catch (StopRequested e) {
            w.println(e.getMessage());
            w.flush();
            return EXIT_STOPPED;
        }
        for (ResultRecord r : summary.records()) {
            w.printf(Locale.ROOT, "%-44s %-8s %s%n", r.cellId() + ".seed" + r.seed(), r.status().name()
                    .toLowerCase(Locale.ROOT), r.finished() ? String.format(Locale.ROOT, "AP %.4f  %.0f s",
                            r.metrics().ap(), r.wallTimeSeconds()) : r.failure().message());
        }
        w.printf(Locale.ROOT, "%d finished, %d skipped (finished before), %d failed; %d teachers trained; "
                + "results in %s%n", summary.finished().size(), summary.skipped().size(), summary.failed().size(),
                summary.teachersTrained(), dir.resolve("cells"));
        w.flush();
        return summary.failed().isEmpty() ? 0 : EXIT_CELLS_FAILED;
    }

    /** Each child JVM's heap with {@code --jobs}: half of this JVM's, between 1 and 4 GB. */
    private static long childHeapMb() {
        long half = Runtime.getRuntime().maxMemory() / (2L * 1024 * 1024);
        return Math.max(1024, Math.min(4096, half));
    }

    /** Whether every model the cells train (students and teachers) has a batch that splits evenly over n devices. */
    static boolean batchesFit(List<Cell> cells, int devices) {
        for (Cell c : cells) {
            int b = c.schedule().batch();
            int tb = c.teacher() == null ? devices : c.teacher().schedule().batch();
            if (b % devices != 0 || tb % devices != 0) {
                return false;
            }
        }
        return true;
    }

    /** Every model the cells train (students and teachers) needs a batch that splits evenly over the devices. */
    static void checkBatches(List<Cell> cells, int devices) {
        for (Cell c : cells) {
            int b = c.schedule().batch();
            int tb = c.teacher() == null ? devices : c.teacher().schedule().batch();
            if (b % devices != 0 || tb % devices != 0) {
                throw new InputException((String) null, "--devices", "cell " + c.runId() + " trains with batch "
                        + (b % devices != 0 ? b : tb) + ", not a multiple of the " + devices
                        + " devices (each device gets an equal shard)", null);
            }
        }
    }
}
