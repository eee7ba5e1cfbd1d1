package org.detrkd.detr.deformable;

import static org.testng.Assert.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;

import org.detrkd.datasets.djl.CocoDetectionDataset;
import org.detrkd.datasets.djl.DetectionBatchifier;
import org.detrkd.detr.engine.AdamW;
import org.detrkd.detr.engine.BatchSource;
import org.detrkd.detr.engine.DatasetBatchSource;
import org.detrkd.detr.engine.GradientClipping;
import org.detrkd.detr.engine.LossWeights;
import org.detrkd.detr.engine.TrainableParameters;
import org.detrkd.detr.train.DetectionTask;
import org.detrkd.detr.train.DetectorEvaluator;
import org.detrkd.detr.train.TinyData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testng.annotations.Test;

import java.util.Locale;
import java.util.Set;

/**
 * Deformable DETR learns: a mini student trained on the 8 images (64 px) of the tiny generated shapes set, with the
 * engine's AdamW (backbone, sampling offsets and reference points at 0.1 x lr through {@link
 * DeformableDetr#isLowLrParameter}) and global-norm clipping, must reach a training-set AP well above its initial
 * value (near 0) as measured by the COCO evaluator, within a bounded wall time.
 */
public class DeformableDetrOverfitTest {

    private static final Logger LOG = LoggerFactory.getLogger(DeformableDetrOverfitTest.class);
    private static final int MAX_STEPS = 150;
    private static final double MAX_SECONDS = 60;
    private static final double LR = 1e-3;

    @Test
    public void trainingApRisesOnEightImages() throws Exception {
        CocoDetectionDataset ds = CocoDetectionDataset.builder().setRoot(TinyData.folder()).setSplit("train")
                .setSampling(8, false).optCacheImages(true).build();
        DetectorEvaluator evaluator = DetectorEvaluator.forSplit(TinyData.folder(), "train", 8);
        Engine.getInstance().setRandomSeed(5);
        try (NDManager manager = NDManager.newBaseManager()) {
            DeformableDetrConfig cfg = DeformableDetrConfig.miniStudent(ds.categories().size()).withLayers(1, 2)
                    .withQueries(20);
            DeformableDetr model = new DeformableDetr(cfg);
            model.initialize(manager, ai.djl.ndarray.types.DataType.FLOAT32, new ai.djl.ndarray.types.Shape(1, 3, 64,
                    64), new ai.djl.ndarray.types.Shape(1, 64, 64));
            double before = evaluator.evaluate(model, null).result().stat("AP");
            Set<String> lowLr = model.lowLrParameterNames();
            TrainableParameters params = new TrainableParameters(model);
            AdamW optimizer = AdamW.builder().optWeightDecay(1e-4).optLrMultiplier(lowLr::contains, 0.1)
                    .build(params, manager);
            DetectionTask task = DetectionTask.withDefaults(model);
            LossWeights weights = DetectionTask.weights();
            BatchSource source = new DatasetBatchSource(ds, new DetectionBatchifier(), new DetectionBatchifier());
            ParameterStore store = new ParameterStore(manager, false);
            int[] all = {0, 1, 2, 3, 4, 5, 6, 7};
            long start = System.nanoTime();
            int steps = 0;
            float first = Float.NaN;
            float last = Float.NaN;
            while (steps < MAX_STEPS && (System.nanoTime() - start) / 1e9 < MAX_SECONDS) {
                try (NDManager sm = manager.newSubManager()) {
                    BatchSource.Batch batch = source.batch(sm, all);
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        LossWeights.WeightedLoss loss = weights.apply(
                                task.losses(store, batch.data(), batch.labels(), new NDList(), true));
                        last = loss.total().getFloat();
                        gc.backward(loss.total());
                    }
                    first = steps == 0 ? last : first;
                    NDList grads = params.gradients(sm);
                    NDList flat = optimizer.flatten(grads);
                    NDArray norm = GradientClipping.globalNorm(flat);
                    GradientClipping.clip(flat, norm.getFloat(), 1.0);
                    optimizer.stepFlat(LR, flat);
                    TrainableParameters.zero(grads);
                }
                steps++;
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            double after = evaluator.evaluate(model, null).result().stat("AP");
            LOG.info(String.format(Locale.ROOT, "overfit: %d steps in %.1f s, loss %.3f -> %.3f, train AP %.4f -> %.4f",
                    steps, seconds, first, last, before, after));
            assertTrue(last < 0.5 * first, "loss " + first + " -> " + last);
            assertTrue(after > 0.3 && after > before + 0.25, "training AP " + before + " -> " + after);
        }
    }
}
