package org.detrkd.detr.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;

import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What the {@link TrainingLoop} trains: a student {@link Block} and the function that turns one batch into
 * named, unweighted loss terms.
 *
 * <p>This is the only contract between the engine and a detector: a DETR task runs the detector forward and
 * hands the outputs to its {@code SetCriterion}, returning the criterion's terms as they are ({@code loss_ce},
 * {@code loss_bbox}, {@code loss_giou}, the decoder-stage copies {@code loss_ce_0 ... loss_ce_k}); a distillation
 * task adds its own terms ({@code loss_kd_logits}, ...). Weights are never applied here: {@link LossWeights} is the
 * single place where they are, so that every term stays available for logging (as in DETR's {@code SetCriterion}
 * and {@code weight_dict}).
 *
 * <p>Call order inside one training step (see {@link TrainingLoop}):
 * <ol>
 *   <li>the batch is loaded into a per-step child manager (closed at the end of the step);</li>
 *   <li>if {@link #teacher()} is present its {@link TeacherHook#forward} runs BEFORE the gradient collector
 *       opens, with the teacher's own {@link ParameterStore}: nothing it computes can enter the gradient;</li>
 *   <li>the gradient collector opens, {@link #losses} runs with {@code training = true}, the weighted total is
 *       back-propagated, the collector closes;</li>
 *   <li>the engine clips the global gradient norm and applies its own {@link AdamW} to the student parameters.</li>
 * </ol>
 *
 * <p>Rules for implementations: create every intermediate array from batch arrays first (an op's result belongs
 * to the manager of its first operand; a parameter-first expression leaks one array per step into the model's
 * manager), and return scalar loss terms (shape {@code []} or {@code [1]}).
 */
public interface TrainingTask {

    /**
     * The trainable block: its parameters (those with {@code requiresGradient()}) are optimised and its weights
     * are checkpointed. It must already be initialised. A distillation task whose adapters are trainable groups the
     * detector and the adapters in one block so that both are optimised and saved.
     *
     * @return the initialised student block
     */
    Block student();

    /**
     * The optional frozen teacher. Empty for plain (non-distillation) training.
     *
     * @return the teacher hook, if any
     */
    default Optional<TeacherHook> teacher() {
        return Optional.empty();
    }

    /**
     * Runs the student forward and the criterion on one batch.
     *
     * @param store the student's parameter store (pass it to {@code student().forward})
     * @param data the batch inputs, attached to the step manager (for DETR: {@code [B, 3, H, W]} images and
     *     {@code [B, H, W]} padding masks)
     * @param labels the batch targets, attached to the step manager (for DETR: padded boxes and classes)
     * @param teacherOutputs what {@link TeacherHook#forward} returned for this batch, attached to the step manager;
     *     an empty list when there is no teacher. These arrays never require gradients.
     * @param training {@code true} during training steps, {@code false} for validation losses
     * @return named, unweighted scalar loss terms; every name must be known to the run's {@link LossWeights}
     */
    Map<String, NDArray> losses(
            ParameterStore store, NDList data, NDList labels, NDList teacherOutputs, boolean training);

    /**
     * The batch-wide count a data-parallel step shares between its replicas before they run: DETR's
     * {@code num_boxes}, the number of ground-truth boxes of the WHOLE batch, which DETR all-reduces so that every
     * replica normalises its box terms by the same number. The engine calls this once per data-parallel step on the
     * whole batch's labels and publishes the result in {@link ReplicaContext} while each replica computes
     * {@link #losses} on its shard; a criterion reads it there (DETR's {@code SetCriterion.numBoxes}). Never called in
     * single-device training.
     *
     * @param labels the whole batch's targets
     * @return the count, or empty (the default) when the task has none: every term is then a per-replica mean
     */
    default OptionalLong targetCount(NDList labels) {
        return OptionalLong.empty();
    }
}
