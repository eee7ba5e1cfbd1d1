package org.detrkd.detr.ops;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;

/**
 * Not a test: a timing probe for one {@link MultiScaleDeformableAttention} layer, run by hand with the test classpath
 * and pinned threads ({@code -Dai.djl.pytorch.num_threads=1 -Dai.djl.pytorch.num_interop_threads=1}):
 * {@code MultiScaleDeformableAttentionTiming <paper|mini> <iters>}. Sizes: {@code paper} batch 2, 300 queries, d 256,
 * 8 heads, 4 points, the 4 levels of an 800 x 1066 image (100x134, 50x67, 25x34, 13x17); {@code mini} batch 16, 40
 * queries, d 128, 8 heads, 4 points, the 3 levels of a 128-px image (16x16, 8x8, 4x4).
 *
 * <p>Logs medians (and minima), as wall-clock and as thread CPU time (with one intra-op thread torch runs on the
 * calling thread, and CPU time is less disturbed by other processes on a shared machine), of: the whole layer's
 * training forward and backward and its inference forward; the sampling core alone (same shapes, leaf inputs that
 * require gradients) forward and backward; and the rest of the layer (projections, softmax, locations) as the
 * difference.
 */
public final class MultiScaleDeformableAttentionTiming {

    private static final Logger LOG = LoggerFactory.getLogger(MultiScaleDeformableAttentionTiming.class);
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private MultiScaleDeformableAttentionTiming() {}

    public static void main(String[] args) {
        boolean paper = args[0].equals("paper");
        int iters = Integer.parseInt(args[1]);
        int b = paper ? 2 : 16;
        int q = paper ? 300 : 40;
        int d = paper ? 256 : 128;
        int heads = 8;
        int points = 4;
        SpatialShapes shapes = paper ? SpatialShapes.of(100, 134, 50, 67, 25, 34, 13, 17)
                : SpatialShapes.of(16, 16, 8, 8, 4, 4);
        int levels = shapes.levels();
        int s = shapes.total();
        Engine.getInstance().setRandomSeed(1);
        double[][] t = new double[6][iters]; // layer fwd, layer bwd, layer inference, core fwd, core bwd, corners
        double[][] cpuMs = new double[6][iters]; // the same as thread CPU time (less sensitive to a busy machine)
        try (NDManager model = NDManager.newBaseManager()) {
            MultiScaleDeformableAttention attn = new MultiScaleDeformableAttention(d, levels, heads, points);
            attn.initialize(model, DataType.FLOAT32, new Shape(b, q, d), new Shape(b, q, levels, 2),
                    new Shape(b, s, d));
            for (int i = -3; i < iters; i++) {
                try (NDManager m = model.newSubManager()) {
                    NDArray query = m.randomNormal(new Shape(b, q, d));
                    NDArray input = m.randomNormal(new Shape(b, s, d));
                    NDArray ref = m.randomUniform(0, 1, new Shape(b, q, levels, 2));
                    ParameterStore ps = new ParameterStore(m, false);
                    long[] c = new long[8];
                    c[0] = cpu();
                    long t0 = System.nanoTime();
                    long t1;
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray y = attn.apply(ps, query, ref, input, shapes, null, true).output();
                        NDArray loss = y.mean();
                        t1 = System.nanoTime();
                        c[1] = cpu();
                        gc.backward(loss);
                    }
                    long t2 = System.nanoTime();
                    c[2] = cpu();
                    attn.apply(ps, query, ref, input, shapes, null, false).output().mean().getFloat();
                    long t3 = System.nanoTime();
                    c[3] = cpu();
                    NDArray value = m.randomNormal(new Shape(b, s, heads, d / heads));
                    NDArray loc = m.randomUniform(-0.05f, 1.05f, new Shape(b, q, heads, levels, points, 2));
                    NDArray w = m.randomUniform(0, 1, new Shape(b, q, heads, levels, points));
                    value.setRequiresGradient(true);
                    loc.setRequiresGradient(true);
                    w.setRequiresGradient(true);
                    c[4] = cpu();
                    long t4 = System.nanoTime();
                    long t5;
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray loss = MultiScaleDeformableAttention.core(value, shapes, loc, w).mean();
                        t5 = System.nanoTime();
                        c[5] = cpu();
                        gc.backward(loss);
                    }
                    long t6 = System.nanoTime();
                    c[6] = cpu();
                    BilinearCorners.compute(loc.stopGradient(), shapes, w.stopGradient()).weight().mean().getFloat();
                    long t7 = System.nanoTime();
                    c[7] = cpu();
                    if (i >= 0) {
                        t[0][i] = (t1 - t0) / 1e6;
                        t[1][i] = (t2 - t1) / 1e6;
                        t[2][i] = (t3 - t2) / 1e6;
                        t[3][i] = (t5 - t4) / 1e6;
                        t[4][i] = (t6 - t5) / 1e6;
                        t[5][i] = (t7 - t6) / 1e6;
                        int[][] spans = {{0, 1}, {1, 2}, {2, 3}, {4, 5}, {5, 6}, {6, 7}};
                        for (int j = 0; j < spans.length; j++) {
                            cpuMs[j][i] = (c[spans[j][1]] - c[spans[j][0]]) / 1e6;
                        }
                    }
                }
            }
        }
        LOG.info(String.format(Locale.ROOT, "MSDeformAttn %s: batch %d, queries %d, d %d, heads %d, points %d, %s "
                + "(S %d), threads %s, %d iterations; medians (min) in ms, wall clock | thread CPU time:", args[0], b,
                q, d, heads, points, shapes, s, System.getProperty("ai.djl.pytorch.num_threads"), iters));
        report("layer forward (training)", t[0], cpuMs[0]);
        report("layer backward", t[1], cpuMs[1]);
        report("layer inference forward", t[2], cpuMs[2]);
        report("sampling core forward", t[3], cpuMs[3]);
        report("sampling core backward", t[4], cpuMs[4]);
        report("  of which corners (fwd)", t[5], cpuMs[5]);
        LOG.info(String.format(Locale.ROOT, "  rest of the layer (difference of medians): forward %.1f | %.1f, "
                + "backward %.1f | %.1f", median(t[0]) - median(t[3]), median(cpuMs[0]) - median(cpuMs[3]),
                median(t[1]) - median(t[4]), median(cpuMs[1]) - median(cpuMs[4])));
    }

    private static void report(String what, double[] wall, double[] cpu) {
        LOG.info(String.format(Locale.ROOT, "  %-26s %7.1f (%6.1f) | %7.1f (%6.1f)", what, median(wall), min(wall),
                median(cpu), min(cpu)));
    }

    private static long cpu() {
        return THREADS.getCurrentThreadCpuTime();
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private static double min(double[] v) {
        return Arrays.stream(v).min().orElse(0);
    }
}
