package org.detrkd.detr.engine;

import static org.testng.Assert.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testng.SkipException;
import org.testng.annotations.Test;

/**
 * Per-step overhead of clipping and AdamW on a model with 100 parameter tensors (50 Linear layers of width 32).
 * Skipped unless {@code -Ddetrkd.bench=true}; prints medians through SLF4J.
 */
public class EngineOverheadBenchmark {

    private static final Logger LOG = LoggerFactory.getLogger(EngineOverheadBenchmark.class);

    @Test
    public void optimizerAndClipOverheadOnHundredTensors() throws Exception {
        if (!Boolean.getBoolean("detrkd.bench")) {
            throw new SkipException("benchmark: run with -Ddetrkd.bench=true");
        }
        LOG.info("threads: {}", EngineThreads.report());
        try (NDManager m = NDManager.newBaseManager()) {
            SequentialBlock net = new SequentialBlock();
            for (int i = 0; i < 49; i++) {
                net.add(Linear.builder().setUnits(32).build()).add(Activation.reluBlock());
            }
            net.add(Linear.builder().setUnits(1).build());
            Engine.getInstance().setRandomSeed(1);
            net.initialize(m, DataType.FLOAT32, new Shape(1, Toys.FEATURES));
            TrainingTask task = new TrainingTask() {
                @Override
                public Block student() {
                    return net;
                }

                @Override
                public Map<String, NDArray> losses(ParameterStore s, NDList d, NDList l, NDList t, boolean tr) {
                    return Map.of("loss_mse",
                            net.forward(s, d, tr).singletonOrThrow().sub(l.singletonOrThrow()).square().mean());
                }
            };
            TrainingLoop loop = new TrainingLoop(task, new Toys.Data(64, 1),
                    new LossWeights(Map.of("loss_mse", 1.0)), LrSchedule.constant(1e-4), AdamW.builder(),
                    TrainingConfig.of(1, 8, 100, null).withLogEvery(1000));
            assertEquals(loop.parameters().size(), 100);
            int n = 60;
            StepTimings.Phase[] phases = StepTimings.Phase.values();
            double[][] perStep = new double[phases.length][n];
            double[] total = new double[n];
            for (int i = 0; i < 10; i++) {
                loop.trainStep();
            }
            for (int i = 0; i < n; i++) {
                double[] before = new double[phases.length];
                for (int p = 0; p < phases.length; p++) {
                    before[p] = loop.timings().seconds(phases[p]);
                }
                total[i] = loop.trainStep().seconds();
                for (int p = 0; p < phases.length; p++) {
                    perStep[p][i] = (loop.timings().seconds(phases[p]) - before[p]) * 1e3;
                }
            }
            StringBuilder sb = new StringBuilder();
            for (int p = 0; p < phases.length; p++) {
                sb.append(String.format(Locale.ROOT, " %s %.3f", phases[p], median(perStep[p])));
            }
            LOG.info(String.format(Locale.ROOT, "median ms/step over %d steps (100 tensors, %d values): step %.3f;%s",
                    n, loop.parameters().numel(), median(total) * 1e3, sb));
            LOG.info(String.format(Locale.ROOT, "for comparison, a per-tensor AdamW update (15 ops per tensor): "
                    + "median %.3f ms", perTensorUpdateMillis(m, loop.parameters(), n)));
        }
    }

    /** The straightforward update, one tensor at a time, timed on the same parameters (gradients all 1e-3). */
    private static double perTensorUpdateMillis(NDManager m, TrainableParameters params, int n) {
        double[] ms = new double[n];
        try (NDManager state = m.newSubManager()) {
            List<NDArray[]> mv = new ArrayList<>();
            for (TrainableParameters.Entry e : params.entries()) {
                Shape shape = e.parameter().getArray().getShape();
                mv.add(new NDArray[] {state.zeros(shape), state.zeros(shape), state.full(shape, 1e-3f)});
            }
            NDArray[] c = {state.create(0.9f), state.create(0.1f), state.create(0.999f), state.create(0.001f),
                state.create(1e-8f), state.create(0.99f), state.create(1e-4f), state.create(1f)};
            for (int i = 0; i < n; i++) {
                long t0 = System.nanoTime();
                for (int k = 0; k < params.size(); k++) {
                    NDArray w = params.entries().get(k).parameter().getArray();
                    NDArray[] s = mv.get(k);
                    try (NDArray gm = s[2].mul(c[1]); NDArray g2 = s[2].square()) {
                        s[0].muli(c[0]).addi(gm);
                        g2.muli(c[3]);
                        s[1].muli(c[2]).addi(g2);
                    }
                    try (NDArray d = s[1].sqrt()) {
                        d.divi(c[7]).addi(c[4]);
                        try (NDArray u = s[0].div(d)) {
                            u.muli(c[6]);
                            w.muli(c[5]).subi(u);
                        }
                    }
                }
                ms[i] = (System.nanoTime() - t0) / 1e6;
            }
        }
        return median(ms);
    }

    private static double median(double[] x) {
        double[] s = x.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
