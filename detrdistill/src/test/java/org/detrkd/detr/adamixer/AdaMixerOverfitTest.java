package org.detrkd.detr.adamixer;

import static org.testng.Assert.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;

import org.detrkd.datasets.djl.DetectionBatchifier;
import org.detrkd.datasets.eval.EvalResult;
import org.detrkd.detr.engine.AdamW;
import org.detrkd.detr.engine.BatchSource;
import org.detrkd.detr.engine.DatasetBatchSource;
import org.detrkd.detr.engine.GradientClipping;
import org.detrkd.detr.engine.TrainableParameters;
import org.detrkd.detr.loss.SetCriterion;
import org.detrkd.detr.matching.HungarianMatcher;
import org.detrkd.detr.matching.ImageTargets;
import org.detrkd.detr.matching.ShortestAugmentingPathSolver;
import org.detrkd.detr.model.DetrOutputs;
import org.detrkd.detr.train.DetectorEvaluator;
import org.detrkd.detr.train.TinyData;
import org.detrkd.detr.util.Scalars;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testng.annotations.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A small AdaMixer overfits the 8 training images (64 px) of the tiny generated shapes set: after a short training
 * with AdamW (manual loop: forward + SetCriterion inside the collector, backward, global-norm clipping, step), its
 * training-set AP is well above zero.
 */
public class AdaMixerOverfitTest {

    private static final Logger LOG = LoggerFactory.getLogger(AdaMixerOverfitTest.class);
    private static final int MAX_STEPS = 320;
    private static final double MAX_SECONDS = 90;

    @Test
    public void trainingOnAHandfulOfImagesDrivesTheirApWellAboveZero() throws Exception {
        Engine.getInstance().setRandomSeed(5);
        DetectorEvaluator evaluator = DetectorEvaluator.forSplit(TinyData.folder(), "train", 8);
        int classes = evaluator.dataset().categories().size();
        BatchSource source = new DatasetBatchSource(evaluator.dataset(), new DetectionBatchifier(),
                new DetectionBatchifier());
        try (NDManager modelManager = NDManager.newBaseManager()) {
            AdaMixer model = new AdaMixer(AdaMixerConfig.miniStudent(classes).withQueries(10).withStages(2));
            model.initialize(modelManager, DataType.FLOAT32, new Shape(1, 3, 64, 64), new Shape(1, 64, 64));
            TrainableParameters params = new TrainableParameters(model);
            AdamW optimizer = AdamW.builder().optWeightDecay(1e-4).build(params, modelManager);
            SetCriterion criterion = new SetCriterion(new HungarianMatcher(new ShortestAugmentingPathSolver()));
            long start = System.nanoTime();
            int step = 0;
            double loss = Double.NaN;
            EvalResult r = null;
            // train until the AP is comfortably high (checked every 40 steps from step 120), or the step / time budget
            while (step < MAX_STEPS && (System.nanoTime() - start) / 1e9 < MAX_SECONDS) {
                int from = (step % 2) * 4;
                double lr = step < 10 ? 1e-3 * (step + 1) / 10 : 1e-3;
                try (NDManager sm = modelManager.newSubManager()) {
                    BatchSource.Batch batch = source.batch(sm, new int[] {from, from + 1, from + 2, from + 3});
                    loss = trainStep(model, criterion, params, optimizer, sm, batch, lr);
                }
                step++;
                if (step >= 120 && step % 40 == 0) {
                    r = evaluator.evaluate(model, null).result();
                    if (r.stat("AP50") > 0.6 && r.stat("AP") > 0.3) {
                        break;
                    }
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            r = evaluator.evaluate(model, null).result();
            LOG.info(String.format(Locale.ROOT, "AdaMixer overfit: %d steps in %.1f s, last loss %.3f, AP %.3f AP50 %.3f",
                    step, seconds, loss, r.stat("AP"), r.stat("AP50")));
            assertTrue(r.stat("AP50") > 0.3, "training-set AP50 " + r.stat("AP50") + " after " + step + " steps");
            assertTrue(r.stat("AP") > 0.1, "training-set AP " + r.stat("AP") + " after " + step + " steps");
        }
    }

    private static double trainStep(AdaMixer model, SetCriterion criterion, TrainableParameters params,
            AdamW optimizer, NDManager sm, BatchSource.Batch batch, double lr) {
        NDList data = batch.data();
        NDList labels = batch.labels();
        List<ImageTargets> targets = ImageTargets.fromBatch(new NDList(labels.get(0), labels.get(1), labels.get(2)));
        double value;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            DetrOutputs out = model.forward(new ParameterStore(sm, false), data.get(0), data.get(1), null, true);
            List<NDArray> logits = new ArrayList<>();
            List<NDArray> boxes = new ArrayList<>();
            for (int s = 0; s < out.numStages(); s++) {
                logits.add(out.logits().get(s));
                boxes.add(out.boxes().get(s));
            }
            NDArray total = null;
            for (var e : criterion.forward(logits, boxes, targets).losses().entrySet()) {
                NDArray w = e.getValue().mul(Scalars.constant(e.getValue(), SetCriterion.defaultWeight(e.getKey())));
                total = total == null ? w : total.add(w);
            }
            value = total.getFloat();
            gc.backward(total);
        }
        NDList grads = params.gradients(sm);
        NDList flats = optimizer.flatten(grads);
        double norm = GradientClipping.globalNorm(flats).getFloat();
        GradientClipping.clip(flats, norm, 1.0);
        optimizer.stepFlat(lr, flats);
        TrainableParameters.zero(grads);
        return value;
    }
}
