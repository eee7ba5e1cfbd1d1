package org.detrkd.detr.distill;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import org.detrkd.detr.engine.LossWeights;
import org.detrkd.detr.engine.TeacherHook;
import org.detrkd.detr.engine.TrainingTask;
import org.detrkd.detr.loss.SetCriterion;
import org.detrkd.detr.matching.HungarianMatcher;
import org.detrkd.detr.matching.ImageTargets;
import org.detrkd.detr.matching.ShortestAugmentingPathSolver;
import org.detrkd.detr.model.Detector;
import org.detrkd.detr.model.DetrOutputs;
import org.detrkd.detr.train.DetectionTask;

/**
 * Distillation training: a student detector and a {@link DistillationMethod}'s adapters trained together, a frozen
 * teacher detector run by the engine outside the gradient. Teacher and student are the same {@link Detector}
 * (Conditional DETR, Deformable DETR or AdaMixer), possibly of different sizes.
 *
 * <p>Per batch: the engine calls the teacher hook (teacher forward with {@code training = false}, its own parameter
 * store, no gradient collector; output in the {@link DetrOutputs} layout); then {@link #losses}: the method may ask
 * for an extra query group ({@link DistillationMethod#extraQueries}, training only), the student runs forward, the
 * {@link SetCriterion} gives the plain detection terms, and the method adds its terms from
 * {@link DistillationInputs}. {@link #weights()} is the detection weights (2, 5, 2) plus the method's.
 *
 * <p>{@link #student()} is the detector itself when the method has no adapters (so the KD-off control {@code none}
 * optimises and checkpoints exactly what plain training does), otherwise a {@link StudentBundle} of detector and
 * adapters. The teacher forward draws no random numbers (evaluation mode, no dropout), so the engine's per-step seed
 * gives the student the same random stream as in plain training.
 */
public final class DistillationTask implements TrainingTask {

    private final Detector student;
    private final Detector teacher;
    private final int studentWidth;
    private final int teacherWidth;
    private final DistillationMethod method;
    private final SetCriterion criterion;
    private final HungarianMatcher matcher;
    private final Block trainable;

    /**
     * @param student the initialised student detector (any of the three)
     * @param teacher the initialised, trained teacher, the same detector as the student (its parameters are never
     *     updated)
     * @param method the distillation method (adapters initialised)
     * @throws IllegalArgumentException when teacher and student are different detectors
     */
    public DistillationTask(Detector student, Detector teacher, DistillationMethod method) {
        DistillationContext context = DistillationContext.of(teacher, student); // checks: same detector and classes
        this.student = student;
        this.teacher = teacher;
        this.studentWidth = context.student().hiddenDim();
        this.teacherWidth = context.teacher().hiddenDim();
        this.method = method;
        this.matcher = new HungarianMatcher(new ShortestAugmentingPathSolver());
        this.criterion = new SetCriterion(matcher);
        Optional<Block> adapters = method.adapters();
        this.trainable = adapters.isPresent() && !adapters.get().getParameters().isEmpty()
                ? new StudentBundle(student, adapters.get()) : student;
    }

    /** @return the student detector (without adapters) */
    public Detector detector() {
        return student;
    }

    /** @return the method */
    public DistillationMethod method() {
        return method;
    }

    /** @return detection weights (loss_ce 2, loss_bbox 5, loss_giou 2) plus the method's */
    public LossWeights weights() {
        Map<String, Double> all = new TreeMap<>(DetectionTask.weights().weights());
        for (Map.Entry<String, Double> e : method.weights().entrySet()) {
            if (all.put(e.getKey(), e.getValue()) != null) {
                throw new IllegalArgumentException("method " + method.name() + " registers the weight of "
                        + e.getKey() + " a second time");
            }
        }
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
                NDArray queries = method.targetQueries(targets(labels), teacherWidth,
                        data.get(0).getManager());
                // no graph here: free the teacher's intermediates as soon as its outputs exist (at 800 px a
                // ResNet-101 teacher's activations would otherwise stay until the step ends: tens of GB)
                try (NDScope scope = new NDScope()) {
                    NDList out = teacher.forward(teacherStore, data.get(0), data.get(1), queries, false).toNDList();
                    NDScope.unregister(out);
                    return out;
                }
            }
        });
    }

    @Override
    public Map<String, NDArray> losses(
            ParameterStore store, NDList data, NDList labels, NDList teacherOutputs, boolean training) {
        if (teacherOutputs.isEmpty()) {
            throw new IllegalStateException("distillation needs the teacher's outputs; the engine gave none");
        }
        DetrOutputs t = DetrOutputs.fromNDList(teacherOutputs);
        List<ImageTargets> targets = targets(labels);
        NDArray extra = training ? method.extraQueries(store, t) : null;
        NDArray targetQueries = training
                ? method.targetQueries(targets, studentWidth, data.get(0).getManager()) : null;
        if (extra != null && targetQueries != null) {
            throw new IllegalStateException("method " + method.name() + " asks for both a teacher-query group and a "
                    + "target-query group; the detector decodes one extra group");
        }
        DetrOutputs s = student.forward(store, data.get(0), data.get(1), extra != null ? extra : targetQueries,
                training);
        List<NDArray> logits = new ArrayList<>();
        List<NDArray> boxes = new ArrayList<>();
        for (int k = 0; k < s.numStages(); k++) {
            logits.add(s.logits().get(k));
            boxes.add(s.boxes().get(k));
        }
        Map<String, NDArray> out = new LinkedHashMap<>(criterion.forward(logits, boxes, targets).losses());
        Map<String, NDArray> kd = method.losses(store, new DistillationInputs(t, s, targets, matcher), training);
        for (Map.Entry<String, NDArray> e : kd.entrySet()) {
            if (out.put(e.getKey(), e.getValue()) != null) {
                throw new IllegalStateException("method " + method.name() + " returned the term " + e.getKey()
                        + ", which the detection criterion already produces");
            }
        }
        return out;
    }

    /**
     * @return the batch's number of ground-truth boxes: DETR's {@code num_boxes}, shared in data-parallel steps by
     *     the detection terms and DETRDistill's assignment terms (both normalise by {@code SetCriterion.numBoxes})
     */
    @Override
    public OptionalLong targetCount(NDList labels) {
        return OptionalLong.of(ImageTargets.countBoxes(new NDList(labels.get(0), labels.get(1), labels.get(2))));
    }

    private static List<ImageTargets> targets(NDList labels) {
        return ImageTargets.fromBatch(new NDList(labels.get(0), labels.get(1), labels.get(2)));
    }
}
