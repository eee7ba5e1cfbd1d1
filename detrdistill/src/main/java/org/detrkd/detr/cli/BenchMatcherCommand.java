package org.detrkd.detr.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.detrkd.datasets.io.InputException;
import org.detrkd.detr.matching.Assignment;
import org.detrkd.detr.matching.ShortestAugmentingPathSolver;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bench matcher}: times the linear-assignment solver (the Hungarian step of DETR matching) on dense uniform
 * random {@code [rows, cols]} cost matrices with entries in {@code [0, 1)}, and prints one JSON object with the
 * median, 90th percentile and minimum wall time of a solve, the problem size, the seed and the Java runtime. On a
 * shared machine the wall times include time the thread was descheduled, so the median and minimum thread CPU time
 * ({@code median_cpu_ms}, {@code min_cpu_ms}) and the system load average before and after are reported as well.
 *
 * <p>Each timed repetition solves a new matrix drawn from the seeded generator (drawn before the clock starts), with
 * one solver instance reused throughout, as a matcher would. The JIT is warmed up first on matrices of the same size
 * (at least {@code --warmup} solves and at least about one second), so the numbers are steady-state times.
 */
@Command(
        name = "matcher",
        description = "Time the linear-assignment solver on uniform random cost matrices; prints JSON.")
public final class BenchMatcherCommand implements Callable<Integer> {
    private static final long MIN_WARMUP_NANOS = 1_000_000_000L;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final OperatingSystemMXBean LOAD = ManagementFactory.getOperatingSystemMXBean();

    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Option(names = "--rows", paramLabel = "R", description = "Rows of the cost matrix (queries). Default: ${DEFAULT-VALUE}.")
    int rows = 300;

    @Option(names = "--cols", paramLabel = "C", description = "Columns of the cost matrix (targets). Default: ${DEFAULT-VALUE}.")
    int cols = 300;

    @Option(names = "--repeat", paramLabel = "N", description = "Timed solves. Default: ${DEFAULT-VALUE}.")
    int repeat = 200;

    @Option(names = "--warmup", paramLabel = "N", description = "Minimum untimed warm-up solves. Default: ${DEFAULT-VALUE}.")
    int warmup = 200;

    @Option(names = "--seed", paramLabel = "S", description = "Seed of the cost generator. Default: ${DEFAULT-VALUE}.")
    long seed = 0L;

    @Override
    public Integer call() throws Exception {
        checkOptions();
        ShortestAugmentingPathSolver solver = new ShortestAugmentingPathSolver();
        SplittableRandom random = new SplittableRandom(seed);
        double[] cost = new double[Math.multiplyExact(rows, cols)];
        double checksum = warmUp(solver, new SplittableRandom(seed ^ 0x9E3779B97F4A7C15L), cost);
        double loadBefore = LOAD.getSystemLoadAverage();
        double[] millis = new double[repeat];
        double[] cpuMillis = new double[repeat];
        for (int k = 0; k < repeat; k++) {
            fill(cost, random);
            long cpuStart = cpuNanos();
            long start = System.nanoTime();
            Assignment a = solver.solve(cost, rows, cols);
            long end = System.nanoTime();
            cpuMillis[k] = (cpuNanos() - cpuStart) / 1e6;
            millis[k] = (end - start) / 1e6;
            checksum += a.total();
        }
        Arrays.sort(millis);
        Arrays.sort(cpuMillis);
        ObjectNode out = report(millis, checksum / repeat);
        out.put("solver", solver.toString());
        if (THREADS.isCurrentThreadCpuTimeSupported()) {
            out.put("median_cpu_ms", percentile(cpuMillis, 0.5));
            out.put("min_cpu_ms", cpuMillis[0]);
        }
        out.put("load_average_before", loadBefore);
        out.put("load_average_after", LOAD.getSystemLoadAverage());
        out.set("provenance", new ObjectMapper().valueToTree(org.detrkd.datasets.io.Provenance.basic()));
        spec.commandLine().getOut().println(new ObjectMapper().writeValueAsString(out));
        spec.commandLine().getOut().flush();
        return 0;
    }

    private void checkOptions() {
        if (rows < 0) {
            throw new InputException((String) null, "--rows", "must be >= 0, got " + rows, null);
        }
        if (cols < 0) {
            throw new InputException((String) null, "--cols", "must be >= 0, got " + cols, null);
        }
        if ((long) rows * cols > 50_000_000L) {
            throw new InputException((String) null, "--rows/--cols", "matrix too large: " + rows + " x " + cols, null);
        }
        if (repeat < 1) {
            throw new InputException((String) null, "--repeat", "must be >= 1, got " + repeat, null);
        }
        if (warmup < 0) {
            throw new InputException((String) null, "--warmup", "must be >= 0, got " + warmup, null);
        }
    }

    private double warmUp(ShortestAugmentingPathSolver solver, SplittableRandom random, double[] cost) {
        double checksum = 0.0;
        long start = System.nanoTime();
        int done = 0;
        while (done < warmup || (warmup > 0 && System.nanoTime() - start < MIN_WARMUP_NANOS)) {
            fill(cost, random);
            checksum += solver.solve(cost, rows, cols).total();
            done++;
        }
        return checksum * 0.0; // keeps the warm-up results live without affecting the reported mean
    }

    private static void fill(double[] cost, SplittableRandom random) {
        for (int k = 0; k < cost.length; k++) {
            cost[k] = random.nextDouble();
        }
    }

    private static long cpuNanos() {
        return THREADS.isCurrentThreadCpuTimeSupported() ? THREADS.getCurrentThreadCpuTime() : 0L;
    }

    private ObjectNode report(double[] sortedMillis, double meanTotal) {
        ObjectNode out = new ObjectMapper().createObjectNode();
        out.put("median_ms", percentile(sortedMillis, 0.5));
        out.put("p90_ms", percentile(sortedMillis, 0.9));
        out.put("min_ms", sortedMillis[0]);
        out.put("max_ms", sortedMillis[sortedMillis.length - 1]);
        out.put("rows", rows);
        out.put("cols", cols);
        out.put("repeat", repeat);
        out.put("seed", seed);
        out.put("mean_total", meanTotal);
        out.put("java_version", System.getProperty("java.version"));
        out.put("java_vm", System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version"));
        out.put("available_processors", Runtime.getRuntime().availableProcessors());
        return out;
    }

    /** Linear interpolation between closest ranks, as numpy's default {@code percentile}. */
    static double percentile(double[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }
}
