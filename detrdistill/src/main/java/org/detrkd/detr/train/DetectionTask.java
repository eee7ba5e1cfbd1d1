package org.detrkd.detr.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;

import org.detrkd.detr.engine.LossWeights;
import org.detrkd.detr.engine.TrainingTask;
import org.detrkd.detr.loss.SetCriterion;
import org.detrkd.detr.matching.HungarianMatcher;
import org.detrkd.detr.matching.ImageTargets;
import org.detrkd.detr.matching.ShortestAugmentingPathSolver;
import org.detrkd.detr.model.DetrOutputs;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Plain (non-distillation) DETR training: the detector forward on {@code (images [B, 3, H, W], mask [B, H, W])}, then
 * the {@link SetCriterion} on every decoder stage against the batch's targets ({@code classes [B, N]} padded with -1,
 * {@code boxes [B, N, 4]} normalised cx, cy, w, h, {@code counts [B]}, as {@code DetectionBatchifier} lays them
 * out). Returns the criterion's unweighted terms ({@code loss_ce, loss_bbox, loss_giou} and the {@code _k} stage
 * copies); {@link #weights()} gives DETR's weights (2, 5, 2).
 */
public final class DetectionTask implements TrainingTask {

    private final Block detector;
    private final SetCriterion criterion;

    /**
     * @param detector an initialised detector whose forward returns the {@link DetrOutputs} layout
     * @param criterion the set criterion
     */
    public DetectionTask(Block detector, SetCriterion criterion) {
        this.detector = detector;
        this.criterion = criterion;
    }

    /**
     * @param detector an initialised detector
     * @return a task with the default matcher (class 2, L1 5, GIoU 2, the shortest-augmenting-path solver) and
     *     focal criterion
     */
    public static DetectionTask withDefaults(Block detector) {
        return new DetectionTask(detector,
                new SetCriterion(new HungarianMatcher(new ShortestAugmentingPathSolver())));
    }

    /** @return DETR's loss weights: loss_ce 2, loss_bbox 5, loss_giou 2 (the same for every stage) */
    public static LossWeights weights() {
        return new LossWeights(Map.of("loss_ce", SetCriterion.defaultWeight("loss_ce"),
                "loss_bbox", SetCriterion.defaultWeight("loss_bbox"),
                "loss_giou", SetCriterion.defaultWeight("loss_giou")));
    }

    @Override
    public Block student() {
        return detector;
    }

    @Override
    public Map<String, NDArray> losses(
            ParameterStore store, NDList data, NDList labels, NDList teacherOutputs, boolean training) {
        NDList out = detector.forward(store, new NDList(data.get(0), data.get(1)), training);
        DetrOutputs o = DetrOutputs.fromNDList(out);
        List<NDArray> logits = new ArrayList<>();
        List<NDArray> boxes = new ArrayList<>();
        for (int s = 0; s < o.numStages(); s++) {
            logits.add(o.logits().get(s));
            boxes.add(o.boxes().get(s));
        }
        List<ImageTargets> targets = ImageTargets.fromBatch(new NDList(labels.get(0), labels.get(1), labels.get(2)));
        return criterion.forward(logits, boxes, targets).losses();
    }

    /** @return the batch's number of ground-truth boxes: DETR's {@code num_boxes}, shared in data-parallel steps */
    @Override
    public OptionalLong targetCount(NDList labels) {
        return OptionalLong.of(ImageTargets.countBoxes(new NDList(labels.get(0), labels.get(1), labels.get(2))));
    }
}
