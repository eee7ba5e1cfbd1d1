package org.detrkd.detr.detrdistill;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.detrkd.datasets.djl.CocoDetectionDataset;
import org.detrkd.datasets.djl.DetectionBatchifier;
import org.detrkd.detr.model.Detector;
import org.detrkd.detr.engine.BatchSource;
import org.detrkd.detr.engine.DatasetBatchSource;
import org.detrkd.detr.matching.HungarianMatcher;
import org.detrkd.detr.matching.HungarianMatcher.Match;
import org.detrkd.detr.matching.ImageTargets;
import org.detrkd.detr.matching.ShortestAugmentingPathSolver;
import org.detrkd.detr.model.DetrOutputs;

/**
 * The instability metric of DETRDistill Sec. 6 (Fig. 7): every decoder stage k is matched to the ground truth on its
 * own (the detection matcher, cost 2/5/2); {@code V^k_n} is the ground-truth index matched to prediction n at stage k,
 * or -1; {@code IS^k = sum_n 1(V^k_n != V^{k+1}_n)}, summed over the images of a split. A model whose queries keep
 * their objects from stage to stage has a low IS.
 */
public final class Instability {

    private Instability() {}

    /**
     * @param match one stage's match of one image
     * @param queries Q
     * @return {@code V} with {@code V[n]} = matched target index or -1
     */
    public static int[] assignmentVector(Match match, int queries) {
        int[] v = new int[queries];
        Arrays.fill(v, -1);
        for (int j = 0; j < match.size(); j++) {
            v[match.queries()[j]] = match.targets()[j];
        }
        return v;
    }

    /**
     * @param stages per decoder stage k, the B images' matches
     * @param queries Q
     * @return {@code IS^k} for k = 0 .. L-2 (between stage k and k + 1), summed over the images
     */
    public static long[] count(List<List<Match>> stages, int queries) {
        long[] is = new long[Math.max(0, stages.size() - 1)];
        for (int k = 0; k + 1 < stages.size(); k++) {
            for (int b = 0; b < stages.get(k).size(); b++) {
                int[] v = assignmentVector(stages.get(k).get(b), queries);
                int[] w = assignmentVector(stages.get(k + 1).get(b), queries);
                for (int n = 0; n < queries; n++) {
                    is[k] += v[n] != w[n] ? 1 : 0;
                }
            }
        }
        return is;
    }

    /**
     * IS of a model over a split, in evaluation mode (no extra query group).
     *
     * @param model the detector
     * @param dataset the split (no augmentation)
     * @param batchSize images per forward
     * @return {@code IS^k} for k = 0 .. L-2, summed over the split
     * @throws IOException if an image cannot be read
     */
    public static long[] evaluate(Detector model, CocoDetectionDataset dataset, int batchSize)
            throws IOException {
        HungarianMatcher matcher = new HungarianMatcher(new ShortestAugmentingPathSolver());
        NDManager owner = model.getParameters().get(0).getValue().getArray().getManager();
        ParameterStore ps = new ParameterStore(owner, false);
        BatchSource source = new DatasetBatchSource(dataset, new DetectionBatchifier(), new DetectionBatchifier());
        long[] total = null;
        for (int start = 0; start < source.size(); start += batchSize) {
            int[] idx = java.util.stream.IntStream.range(start, Math.min(source.size(), start + batchSize)).toArray();
            try (NDManager sm = owner.newSubManager()) {
                BatchSource.Batch batch = source.batch(sm, idx);
                DetrOutputs out = model.forward(ps, batch.data().get(0), batch.data().get(1), null, false);
                int l = out.numStages();
                int q = (int) out.logits().getShape().get(2);
                if (total == null) {
                    total = new long[l - 1];
                }
                NDList labels = batch.labels();
                List<ImageTargets> targets = ImageTargets.fromBatch(new NDList(labels.get(0), labels.get(1),
                        labels.get(2)));
                List<List<Match>> stages = new ArrayList<>();
                for (int k = 0; k < l; k++) {
                    stages.add(matcher.match(out.logits().get(k), out.boxes().get(k), targets));
                }
                long[] is = count(stages, q);
                for (int k = 0; k < is.length; k++) {
                    total[k] += is[k];
                }
            }
        }
        return total == null ? new long[0] : total;
    }
}
