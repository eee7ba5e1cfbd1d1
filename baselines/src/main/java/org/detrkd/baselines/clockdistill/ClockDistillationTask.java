package org.detrkd.baselines.clockdistill;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.detrkd.detr.conditional.ConditionalDetr;
import org.detrkd.detr.distill.DistillationInputs;
import org.detrkd.detr.distill.StudentBundle;
import org.detrkd.detr.engine.LossWeights;
import org.detrkd.detr.engine.TeacherHook;
import org.detrkd.detr.engine.TrainingTask;
import org.detrkd.detr.loss.SetCriterion;
import org.detrkd.detr.matching.HungarianMatcher;
import org.detrkd.detr.matching.ImageTargets;
import org.detrkd.detr.matching.ShortestAugmentingPathSolver;
import org.detrkd.detr.model.DetrOutputs;
import org.detrkd.detr.train.DetectionTask;

/**
 * Distillation training with {@link ClockDistill}'s target-aware queries decoded by BOTH detectors: the reference
 * for the engine change CLoCKDistill needs. It follows {@code DistillationTask} step for step and differs in two
 * places only:
 *
 * <ol>
 *   <li>the teacher hook (outside the gradient, {@code training = false}) builds the batch's target queries at the
 *       teacher's width from the labels and passes them as the teacher's extra query group (they are parameter-free,
 *       so nothing of the student enters the teacher's forward);
 *   <li>the student receives the same queries at its own width as its extra group (in training).
 * </ol>
 * Proposed change in {@code detrdistill} (for the lead): add to {@code DistillationMethod} a
 * {@code default NDArray targetQueries(List<ImageTargets> targets, int width, NDManager manager)} returning null;
 * in {@code DistillationTask}'s teacher hook, build the targets from {@code labels} and pass
 * {@code method.targetQueries(targets, teacherWidth, m)} to {@code teacher.forward}; in {@code losses}, when
 * {@code extraQueries} is null, use {@code method.targetQueries(targets, studentWidth, m)} in training. With that,
 * {@code detrkd distill/compare --method clockdistill} run the query terms too and this class can go.
 */
public final class ClockDistillationTask implements TrainingTask {

    private final ConditionalDetr student;
    private final ConditionalDetr teacher;
    private final ClockDistill method;
    private final HungarianMatcher matcher = new HungarianMatcher(new ShortestAugmentingPathSolver());
    private final SetCriterion criterion = new SetCriterion(matcher);
    private final Block trainable;

    /**
     * @param student the initialised student
     * @param teacher the initialised, trained teacher (never updated)
     * @param method the method (adapters initialised)
     */
    public ClockDistillationTask(ConditionalDetr student, ConditionalDetr teacher, ClockDistill method) {
        this.student = student;
        this.teacher = teacher;
        this.method = method;
        this.trainable = method.adapters().isPresent() ? new StudentBundle(student, method.adapters().get())
                : student;
    }

    /** @return detection weights plus the method's */
    public LossWeights weights() {
        Map<String, Double> all = new LinkedHashMap<>(DetectionTask.weights().weights());
        all.putAll(method.weights());
        return new LossWeights(all);
    }

    @Override
    public Block student() {
        return trainable;
    }

    @Override
    public Optional<TeacherHook> teacher() {
        return Optional.of(new TeacherHook() {
            @Override
            public Block block() {
                return teacher;
            }

            @Override
            public NDList forward(ParameterStore teacherStore, NDList data, NDList labels) {
                NDArray queries = method.targetQueries(targets(labels), teacher.config().hiddenDim(),
                        data.get(0).getManager());
                return teacher.forward(teacherStore, data.get(0), data.get(1), queries, false).toNDList();
            }
        });
    }

    @Override
    public Map<String, NDArray> losses(ParameterStore store, NDList data, NDList labels, NDList teacherOutputs,
            boolean training) {
        DetrOutputs t = DetrOutputs.fromNDList(teacherOutputs);
        List<ImageTargets> targets = targets(labels);
        NDArray queries = training ? method.targetQueries(targets, student.config().hiddenDim(),
                data.get(0).getManager()) : null;
        DetrOutputs s = student.forward(store, data.get(0), data.get(1), queries, training);
        List<NDArray> logits = new java.util.ArrayList<>();
        List<NDArray> boxes = new java.util.ArrayList<>();
        for (int k = 0; k < s.numStages(); k++) {
            logits.add(s.logits().get(k));
            boxes.add(s.boxes().get(k));
        }
        Map<String, NDArray> out = new LinkedHashMap<>(criterion.forward(logits, boxes, targets).losses());
        out.putAll(method.losses(store, new DistillationInputs(t, s, targets, matcher), training));
        return out;
    }

    private static List<ImageTargets> targets(NDList labels) {
        return ImageTargets.fromBatch(new NDList(labels.get(0), labels.get(1), labels.get(2)));
    }
}
