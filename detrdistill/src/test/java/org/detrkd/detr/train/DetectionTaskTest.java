package org.detrkd.detr.train;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;

import org.detrkd.datasets.djl.CocoDetectionDataset;
import org.detrkd.datasets.djl.DetectionBatchifier;
import org.detrkd.detr.conditional.ConditionalDetr;
import org.detrkd.detr.conditional.ConditionalDetrConfig;
import org.detrkd.detr.engine.BatchSource;
import org.detrkd.detr.engine.DatasetBatchSource;
import org.detrkd.detr.engine.LossWeights;
import org.testng.annotations.Test;

import java.util.Map;
import java.util.TreeSet;

/** One forward/backward of the detection task on a batch of the tiny generated dataset. */
public class DetectionTaskTest {

    @Test
    public void stepOnGeneratedDataGivesFiniteNamedTermsAndGradients() throws Exception {
        CocoDetectionDataset ds = CocoDetectionDataset.builder().setRoot(TinyData.folder()).setSplit("train")
                .setSampling(4, false).build();
        Engine.getInstance().setRandomSeed(3);
        try (NDManager manager = NDManager.newBaseManager()) {
            ConditionalDetr model = DetectorFactory.create(
                    ConditionalDetrConfig.miniStudent(ds.categories().size()).withQueries(10), manager, 64);
            DetectionTask task = DetectionTask.withDefaults(model);
            try (NDManager sm = manager.newSubManager()) {
                BatchSource.Batch batch = new DatasetBatchSource(ds, new DetectionBatchifier(),
                        new DetectionBatchifier()).batch(sm, new int[] {0, 1, 2, 3});
                float total;
                Map<String, NDArray> terms;
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    terms = task.losses(new ParameterStore(manager, false), batch.data(), batch.labels(),
                            new ai.djl.ndarray.NDList(), true);
                    LossWeights.WeightedLoss loss = DetectionTask.weights().apply(terms);
                    total = loss.total().getFloat();
                    gc.backward(loss.total());
                }
                // 3 decoder stages: the final terms and the _0, _1 auxiliary copies
                assertEquals(new TreeSet<>(terms.keySet()).toString(), "[loss_bbox, loss_bbox_0, loss_bbox_1, "
                        + "loss_ce, loss_ce_0, loss_ce_1, loss_giou, loss_giou_0, loss_giou_1]");
                double expected = 0;
                for (Map.Entry<String, NDArray> e : terms.entrySet()) {
                    float v = e.getValue().getFloat();
                    assertTrue(Float.isFinite(v) && v > 0, e.getKey() + " = " + v);
                    expected += SetCriterionWeights.of(e.getKey()) * v;
                }
                assertEquals(total, expected, 1e-3 * expected);
                int withGradient = 0;
                for (Parameter p : model.getParameters().values()) {
                    if (p.requiresGradient()) {
                        float[] g = p.getArray().getGradient().toFloatArray();
                        double norm = 0;
                        for (float v : g) {
                            assertTrue(Float.isFinite(v), p.getName());
                            norm += v * v;
                        }
                        withGradient += norm > 0 ? 1 : 0;
                    }
                }
                assertTrue(withGradient > 150, withGradient + " parameter tensors received a gradient");
            }
        }
    }

    /** DETR's weights by base name (class 2, L1 5, GIoU 2). */
    private static final class SetCriterionWeights {
        static double of(String term) {
            return term.startsWith("loss_ce") ? 2 : term.startsWith("loss_bbox") ? 5 : 2;
        }
    }
}
