package org.detrkd.detr.conditional;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;

import org.detrkd.detr.model.DetrOutputs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;
import java.util.Locale;

/**
 * Not a test: a timing probe for the mini Conditional DETR variants (forward + backward at a given batch and size),
 * run by hand with the test classpath: {@code ConditionalDetrTiming <mini-teacher|mini-student> <batch> <size> <iters>
 * [numClasses]}. Prints parameter counts and the median / min step time.
 */
public final class ConditionalDetrTiming {

    private static final Logger LOG = LoggerFactory.getLogger(ConditionalDetrTiming.class);

    private ConditionalDetrTiming() {}

    public static void main(String[] args) {
        String variant = args[0];
        int batch = Integer.parseInt(args[1]);
        int size = Integer.parseInt(args[2]);
        int iters = Integer.parseInt(args[3]);
        int classes = args.length > 4 ? Integer.parseInt(args[4]) : 80;
        ConditionalDetrConfig cfg = variant.equals("mini-teacher") ? ConditionalDetrConfig.miniTeacher(classes)
                : ConditionalDetrConfig.miniStudent(classes);
        Engine.getInstance().setRandomSeed(1);
        try (NDManager model = NDManager.newBaseManager()) {
            ConditionalDetr detr = new ConditionalDetr(cfg);
            detr.initialize(model, DataType.FLOAT32, new Shape(batch, 3, size, size), new Shape(batch, size, size));
            long total = 0;
            long backbone = 0;
            for (Parameter p : detr.getParameters().values()) {
                if (p.getType() != Parameter.Type.RUNNING_MEAN && p.getType() != Parameter.Type.RUNNING_VAR) {
                    total += p.getArray().size();
                }
            }
            for (Parameter p : detr.backbone().getParameters().values()) {
                if (p.getType() != Parameter.Type.RUNNING_MEAN && p.getType() != Parameter.Type.RUNNING_VAR) {
                    backbone += p.getArray().size();
                }
            }
            double[] fb = new double[iters];
            double[] fwd = new double[iters];
            for (int i = -2; i < iters; i++) {
                try (NDManager m = NDManager.newBaseManager()) {
                    NDArray images = m.randomNormal(new Shape(batch, 3, size, size));
                    NDArray mask = m.zeros(new Shape(batch, size, size), DataType.BOOLEAN);
                    long t0 = System.nanoTime();
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        DetrOutputs out = detr.forward(new ParameterStore(m, false), images, mask, null, true);
                        gc.backward(out.logits().mean().add(out.boxes().mean()));
                    }
                    long t1 = System.nanoTime();
                    DetrOutputs inf = detr.forward(new ParameterStore(m, false), images, mask, null, false);
                    inf.logits().toFloatArray();
                    long t2 = System.nanoTime();
                    if (i >= 0) {
                        fb[i] = (t1 - t0) / 1e6;
                        fwd[i] = (t2 - t1) / 1e6;
                    }
                }
            }
            LOG.info(String.format(Locale.ROOT,
                    "%s classes %d: %,d parameters (backbone %,d, transformer+heads %,d); batch %d, %dpx, threads %s: "
                            + "forward+backward median %.1f ms (min %.1f), inference forward median %.1f ms (min %.1f)",
                    variant, classes, total, backbone, total - backbone, batch, size,
                    System.getProperty("ai.djl.pytorch.num_threads"), median(fb), Arrays.stream(fb).min().orElse(0),
                    median(fwd), Arrays.stream(fwd).min().orElse(0)));
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
