package org.detrkd.detr.pretrain;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;

import org.detrkd.detr.backbone.ResNetSpec;
import org.detrkd.detr.engine.AdamW;
import org.detrkd.detr.engine.TrainableParameters;
import org.detrkd.detr.util.Scalars;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Pretrains a {@link org.detrkd.detr.backbone.ResNet} as a classifier of object crops ({@link CropSampler}, {@link
 * CropClassifier}): softmax cross-entropy, AdamW (weight decay 1e-4) with a linear warm-up and cosine decay over the
 * planned steps, trainable BatchNorm. Stops after {@code maxSteps} or when the time budget is spent (then the cosine
 * schedule is cut short). The result is deterministic for a seed when stopped by steps (the engine's seed, the batch
 * order and jitter all derive from it).
 */
public final class BackbonePretrainer {

    private static final Logger LOG = LoggerFactory.getLogger(BackbonePretrainer.class);

    /**
     * Settings.
     *
     * @param spec the backbone preset
     * @param batchSize crops per step
     * @param lr peak learning rate
     * @param maxSteps steps of the schedule (the run stops there at the latest)
     * @param minutes time budget, 0 for none
     * @param seed the seed
     * @param logEvery progress log interval in steps
     */
    public record Settings(ResNetSpec spec, int batchSize, double lr, long maxSteps, double minutes, long seed,
            int logEvery) {}

    /**
     * What a pretraining produced.
     *
     * @param steps optimizer steps
     * @param seconds wall time of training
     * @param lastLoss mean loss of the last {@code logEvery} steps
     * @param evalAccuracy accuracy on the evaluation crops (NaN without an evaluation set)
     * @param evalCrops number of evaluation crops
     */
    public record Result(long steps, double seconds, double lastLoss, double evalAccuracy, int evalCrops) {}

    private final Settings settings;

    /** @param settings the settings */
    public BackbonePretrainer(Settings settings) {
        this.settings = settings;
    }

    /**
     * Trains, evaluates on {@code eval} (if not null) and writes the backbone weights to {@code out}.
     *
     * @param train training crops
     * @param eval evaluation crops, or null
     * @param out safetensors file for the backbone ({@link BackboneWeights})
     * @return the outcome
     * @throws IOException if the weights cannot be written
     */
    public Result run(CropSampler train, CropSampler eval, Path out) throws IOException {
        Engine.getInstance().setRandomSeed((int) settings.seed());
        int s = train.cropSize();
        try (NDManager manager = NDManager.newBaseManager()) {
            CropClassifier model = new CropClassifier(settings.spec(), train.numClasses() + 1);
            model.initialize(manager, DataType.FLOAT32, new Shape(1, 3, s, s));
            TrainableParameters params = new TrainableParameters(model);
            AdamW adamw = AdamW.builder().optWeightDecay(1e-4).build(params, manager);
            ParameterStore ps = new ParameterStore(manager, false);
            long start = System.nanoTime();
            double budget = settings.minutes() * 60;
            double lossSum = 0;
            int lossCount = 0;
            double lastLoss = Double.NaN;
            long step = 0;
            while (step < settings.maxSteps() && (budget <= 0 || (System.nanoTime() - start) / 1e9 < budget)) {
                CropSampler.Batch batch = train.trainingBatch(settings.seed(), step, settings.batchSize());
                double loss = trainStep(manager, model, ps, params, adamw, batch, s, lr(step));
                if (!Double.isFinite(loss)) {
                    throw new IllegalStateException("pretraining diverged at step " + step + ": loss " + loss);
                }
                lossSum += loss;
                lossCount++;
                step++;
                if (step % settings.logEvery() == 0) {
                    lastLoss = lossSum / lossCount;
                    LOG.info(String.format(Locale.ROOT, "pretrain step %d/%d loss %.4f lr %.2e %.1f min", step,
                            settings.maxSteps(), lastLoss, lr(step - 1), (System.nanoTime() - start) / 6e10));
                    lossSum = 0;
                    lossCount = 0;
                }
            }
            if (lossCount > 0) {
                lastLoss = lossSum / lossCount;
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            double acc = Double.NaN;
            int n = 0;
            if (eval != null) {
                n = eval.objects();
                acc = accuracy(manager, model, ps, eval);
            }
            BackboneWeights.save(model.backbone(), out);
            LOG.info(String.format(Locale.ROOT, "pretrained %s for %d steps in %.1f min: loss %.4f, eval accuracy "
                    + "%.4f on %d crops; wrote %s", settings.spec().name(), step, seconds / 60, lastLoss, acc, n, out));
            return new Result(step, seconds, lastLoss, acc, n);
        }
    }

    /** @return warm-up over the first 5% (at most 200) steps, then cosine to 0 at {@code maxSteps} */
    double lr(long step) {
        long warm = Math.max(1, Math.min(200, settings.maxSteps() / 20));
        if (step < warm) {
            return settings.lr() * (step + 1) / warm;
        }
        double t = (double) (step - warm) / Math.max(1, settings.maxSteps() - warm);
        return settings.lr() * 0.5 * (1 + Math.cos(Math.PI * Math.min(1, t)));
    }

    /** One step of softmax cross-entropy; returns the loss. */
    static double trainStep(NDManager manager, CropClassifier model, ParameterStore ps, TrainableParameters params,
            AdamW adamw, CropSampler.Batch batch, int s, double lr) {
        try (NDManager sm = manager.newSubManager()) {
            NDArray x = sm.create(FloatBuffer.wrap(batch.pixels()), new Shape(batch.size(), 3, s, s));
            NDArray loss;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray logits = model.forward(ps, new NDList(x), true).singletonOrThrow(); // [B, K + 1]
                loss = crossEntropy(logits, batch.labels());
                gc.backward(loss);
            }
            float value = loss.getFloat();
            NDList grads = params.gradients(sm);
            adamw.step(lr, grads);
            return value;
        }
    }

    /**
     * @param logits {@code [B, C]}
     * @param labels {@code [B]} indices in {@code 0 .. C-1}
     * @return the mean softmax cross-entropy, a scalar on the logits' manager
     */
    static NDArray crossEntropy(NDArray logits, int[] labels) {
        NDManager m = logits.getManager();
        long c = logits.getShape().get(1);
        NDArray oneHot = m.create(labels).oneHot((int) c).toType(DataType.FLOAT32, false); // kept open until backward
        NDArray picked = logits.logSoftmax(1).mul(oneHot).sum(); // sum of log p(label)
        return Scalars.div(picked.neg(), labels.length);
    }

    private static double accuracy(NDManager manager, CropClassifier model, ParameterStore ps, CropSampler eval) {
        int s = eval.cropSize();
        int correct = 0;
        int total = 0;
        for (int from = 0; from < eval.objects(); from += 128) {
            CropSampler.Batch b = eval.evalBatch(from, 128);
            try (NDManager sm = manager.newSubManager()) {
                NDArray x = sm.create(FloatBuffer.wrap(b.pixels()), new Shape(b.size(), 3, s, s));
                NDArray logits = model.forward(ps, new NDList(x), false).singletonOrThrow();
                long[] pred = logits.get(":, :" + eval.numClasses()).argMax(1).toLongArray();
                for (int i = 0; i < pred.length; i++) {
                    correct += pred[i] == b.labels()[i] ? 1 : 0;
                }
                total += pred.length;
            }
        }
        return total == 0 ? Double.NaN : (double) correct / total;
    }
}
