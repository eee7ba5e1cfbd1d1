package org.detrkd.datasets.eval;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.detrkd.datasets.coco.CocoDetections;
import org.detrkd.datasets.coco.CocoResultsReader;
import org.detrkd.datasets.coco.CocoResultsWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Times the evaluator on a generated val2017-sized case ({@link SyntheticEvalCase}): the detections are written to a
 * temporary results file, then each repeat times loading that file ({@link CocoResultsReader}), {@code evaluate}
 * and {@code accumulate} (which includes the summary), after one untimed warm-up. Reports medians over the repeats.
 * The reference timings on this kind of machine are in {@code reference/coco-eval/README.md} (pycocotools about
 * 85 s, faster-coco-eval about 10 s for the same shape of case).
 */
public final class EvalBenchmark {
    private static final Logger LOG = LoggerFactory.getLogger(EvalBenchmark.class);

    private EvalBenchmark() {}

    /**
     * Median timings in milliseconds and the case's size.
     *
     * <p>The {@code *CpuMs} values are the process CPU time of each phase (all threads, including JIT and GC; -1
     * where the JVM cannot tell): on a machine shared with other jobs they are steadier than wall-clock times.
     *
     * @param ap the AP of the generated case (a sanity value, the same for every thread count)
     */
    public record Result(int images, int detections, int gtBoxes, double loadMs, double evaluateMs,
                         double accumulateMs, double totalMs, double loadCpuMs, double evaluateCpuMs,
                         double accumulateCpuMs, int threads, int repeats, double ap, String javaVersion) {}

    /**
     * Generates the case from {@code seed} and times it.
     *
     * @param images number of images (5,000 for val2017 size)
     * @param threads evaluator threads
     * @param repeats timed repeats after the warm-up (at least 1)
     */
    public static Result run(int images, long seed, int threads, int repeats) {
        if (images < 1 || repeats < 1) {
            throw new IllegalArgumentException("images and repeats must be at least 1");
        }
        SyntheticEvalCase c = SyntheticEvalCase.generate(images, seed);
        Path file = null;
        try {
            file = Files.createTempFile("detrkd-bench-dt", ".json");
            CocoResultsWriter.write(c.detections(), file);
            LOG.info("benchmark case: {} images, {} GT boxes, {} detections ({} MB of JSON)", images,
                    c.gt().annotations().size(), c.detections().size(), Files.size(file) >> 20);
            CocoEvaluator evaluator = new CocoEvaluator(threads);
            double[] load = new double[repeats];
            double[] eval = new double[repeats];
            double[] acc = new double[repeats];
            double[] total = new double[repeats];
            double[][] cpu = new double[3][repeats];
            double ap = 0;
            for (int r = -1; r < repeats; r++) {
                long c0 = cpuNanos();
                long t0 = System.nanoTime();
                CocoDetections dt = CocoResultsReader.read(file);
                long t1 = System.nanoTime();
                long c1 = cpuNanos();
                Evaluation ev = evaluator.evaluate(c.gt(), "generated", dt, file.toString());
                long t2 = System.nanoTime();
                long c2 = cpuNanos();
                EvalResult res = evaluator.accumulate(ev);
                long t3 = System.nanoTime();
                long c3 = cpuNanos();
                ap = res.stats()[0];
                if (r >= 0) {
                    load[r] = (t1 - t0) / 1e6;
                    eval[r] = (t2 - t1) / 1e6;
                    acc[r] = (t3 - t2) / 1e6;
                    total[r] = (t3 - t0) / 1e6;
                    cpu[0][r] = c0 < 0 ? -1 : (c1 - c0) / 1e6;
                    cpu[1][r] = c0 < 0 ? -1 : (c2 - c1) / 1e6;
                    cpu[2][r] = c0 < 0 ? -1 : (c3 - c2) / 1e6;
                }
            }
            return new Result(images, c.detections().size(), c.gt().annotations().size(), median(load),
                    median(eval), median(acc), median(total), median(cpu[0]), median(cpu[1]), median(cpu[2]),
                    threads, repeats, ap, System.getProperty("java.version"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException e) {
                    LOG.warn("could not delete {}", file);
                }
            }
        }
    }

    /** Process CPU time in nanoseconds, or -1 when unavailable. */
    private static long cpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }
}
