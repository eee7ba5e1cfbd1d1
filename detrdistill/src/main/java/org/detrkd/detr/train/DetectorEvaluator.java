package org.detrkd.detr.train;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;

import org.detrkd.datasets.coco.CocoDataset;
import org.detrkd.datasets.coco.CocoDetections;
import org.detrkd.datasets.coco.CocoFolder;
import org.detrkd.datasets.coco.CocoJsonReader;
import org.detrkd.datasets.coco.CocoResultsWriter;
import org.detrkd.datasets.djl.CocoDetectionDataset;
import org.detrkd.datasets.djl.DetectionBatchifier;
import org.detrkd.datasets.eval.CocoEvaluator;
import org.detrkd.datasets.eval.EvalResult;
import org.detrkd.detr.engine.BatchSource;
import org.detrkd.detr.engine.DatasetBatchSource;
import org.detrkd.detr.model.DetrOutputs;
import org.detrkd.detr.model.PostProcess;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * COCO bbox evaluation of a detector on one split: the model runs in eval mode ({@code training = false}: BatchNorm
 * running statistics, no dropout) over the split in order, {@link PostProcess} keeps the top 100 (query, class) pairs
 * per image with boxes in original-image pixels, {@link CocoConversion} maps classes to category ids, and
 * {@link CocoEvaluator} computes pycocotools' statistics against the split's annotation file.
 */
public final class DetectorEvaluator {

    private static final Logger LOG = LoggerFactory.getLogger(DetectorEvaluator.class);

    private final CocoDetectionDataset dataset;
    private final CocoDataset groundTruth;
    private final String gtName;
    private final int batchSize;
    private final int evalThreads;
    private final PostProcess postProcess = PostProcess.top100();

    /**
     * What an evaluation produced.
     *
     * @param result pycocotools' statistics
     * @param detections the detections evaluated
     * @param seconds wall time (model and evaluation)
     */
    public record Outcome(EvalResult result, CocoDetections detections, double seconds) {}

    /**
     * @param dataset the split, with a deterministic augmentation (none, or an evaluation resize)
     * @param groundTruth the split's annotation file contents
     * @param gtName its name, for messages
     * @param batchSize images per forward pass
     * @param evalThreads threads of the COCO evaluator
     */
    public DetectorEvaluator(CocoDetectionDataset dataset, CocoDataset groundTruth, String gtName, int batchSize,
            int evalThreads) {
        this.dataset = dataset;
        this.groundTruth = groundTruth;
        this.gtName = gtName;
        this.batchSize = batchSize;
        this.evalThreads = evalThreads;
    }

    /**
     * An evaluator over a split of a COCO folder, images decoded once and cached, no augmentation.
     *
     * @param data the dataset folder
     * @param split the split name (e.g. {@code val})
     * @param batchSize images per forward pass
     * @return the evaluator
     */
    public static DetectorEvaluator forSplit(Path data, String split, int batchSize) {
        CocoDetectionDataset ds = CocoDetectionDataset.builder().setRoot(data).setSplit(split)
                .setSampling(1, false).optCacheImages(true).build();
        Path annotations = CocoFolder.open(data).split(split).annotations();
        return new DetectorEvaluator(ds, CocoJsonReader.read(annotations), annotations.toString(), batchSize,
                Math.max(1, Runtime.getRuntime().availableProcessors()));
    }

    /** @return the evaluated split */
    public CocoDetectionDataset dataset() {
        return dataset;
    }

    /**
     * Runs the model over the split and evaluates.
     *
     * @param model an initialised detector whose forward returns the {@link DetrOutputs} layout
     * @param detectionsFile where to write the COCO results JSON, or {@code null}
     * @return the statistics and detections
     * @throws IOException if a sample cannot be read or the file cannot be written
     */
    public Outcome evaluate(Block model, Path detectionsFile) throws IOException {
        long start = System.nanoTime();
        CocoDetections dets = detect(model);
        if (detectionsFile != null) {
            CocoResultsWriter.write(dets, detectionsFile);
        }
        String dtName = detectionsFile == null ? "model detections" : detectionsFile.toString();
        EvalResult r = new CocoEvaluator(evalThreads).run(groundTruth, gtName, dets, dtName);
        double seconds = (System.nanoTime() - start) / 1e9;
        LOG.info(String.format(java.util.Locale.ROOT, "evaluated %d images in %.1f s: AP %.4f AP50 %.4f",
                dataset.size(), seconds, r.stat("AP"), r.stat("AP50")));
        return new Outcome(r, dets, seconds);
    }

    /**
     * @param model an initialised detector
     * @return its top-100 detections on every image of the split
     * @throws IOException if a sample cannot be read
     */
    public CocoDetections detect(Block model) throws IOException {
        NDManager owner = model.getParameters().get(0).getValue().getArray().getManager();
        ParameterStore store = new ParameterStore(owner, false);
        BatchSource source = new DatasetBatchSource(dataset, new DetectionBatchifier(), new DetectionBatchifier());
        int n = source.size();
        CocoDetections.Builder out = CocoDetections.builder(n * 100);
        for (int from = 0; from < n; from += batchSize) {
            int[] indices = range(from, Math.min(n, from + batchSize));
            try (NDManager sm = owner.newSubManager()) {
                BatchSource.Batch batch = source.batch(sm, indices);
                NDList labels = batch.labels();
                long[] ids = labels.get(3).toLongArray();
                long[] orig = labels.get(4).toLongArray(); // [B, 2] (height, width)
                int[][] sizes = new int[indices.length][];
                for (int i = 0; i < indices.length; i++) {
                    sizes[i] = new int[] {(int) orig[2 * i], (int) orig[2 * i + 1]};
                }
                NDList raw = model.forward(store, new NDList(batch.data().get(0), batch.data().get(1)), false);
                DetrOutputs o = DetrOutputs.fromNDList(raw);
                CocoConversion.append(postProcess.apply(o.predLogits(), o.predBoxes(), sizes), ids,
                        dataset.categories(), out);
            }
        }
        return out.build();
    }

    private static int[] range(int from, int to) {
        int[] r = new int[to - from];
        Arrays.setAll(r, i -> from + i);
        return r;
    }
}
