package org.detrkd.detr.distill;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.detrkd.detr.matching.ImageTargets;
import org.detrkd.detr.model.DetrOutputs;

/**
 * A knowledge-distillation method as the training engine sees it: it turns (teacher outputs, student outputs,
 * targets) into named, UNWEIGHTED scalar loss terms and owns the trainable adapters those terms need.
 *
 * <p>How a method plugs in: {@link DistillationTask} runs the frozen teacher outside the gradient (through the
 * engine's {@code TeacherHook}), asks {@link #extraQueries} whether the student decoder should decode an extra query
 * group, runs the student, adds the plain detection terms of the {@code SetCriterion} and then this method's
 * {@link #losses}. The engine applies the weights ({@code LossWeights}, built from the detection weights plus
 * {@link #weights()}), back-propagates, and optimises the student detector together with {@link #adapters()}.
 * A method never applies its own weights and never touches teacher parameters.
 *
 * <p>Term names must not collide with the detection terms ({@code loss_ce, loss_bbox, loss_giou} and their stage
 * copies); by convention they start with {@code kd_}. A name {@code base_<k>} takes the weight registered for
 * {@code base} (the engine's stage-suffix rule).
 */
public interface DistillationMethod {

    /** @return the registry name, e.g. {@code none}, {@code detrdistill} */
    String name();

    /**
     * @return the method's trainable block (adapters, generators), initialised on the student's manager, or empty
     *     when the method has no parameters
     */
    Optional<Block> adapters();

    /** @return base term name to weight, for every term {@link #losses} can return */
    Map<String, Double> weights();

    /**
     * An extra query group for the student decoder (DETRDistill's assignment distillation), decoded beside the
     * student's own queries and isolated from them; only asked for during training.
     *
     * @param ps the student's parameter store (for adapters)
     * @param teacher the teacher's outputs of this batch
     * @return {@code [G, w]} queries in the student's extra-group form ({@code DetrOutputs.queryPrior()}: Conditional
     *     DETR {@code w = d}, Deformable DETR {@code 2d}, AdaMixer {@code d + 4}), or null for none (the default)
     */
    default NDArray extraQueries(ParameterStore ps, DetrOutputs teacher) {
        return null;
    }

    /**
     * Parameter-free queries built from the batch's ground truth (CLoCKDistill's target-aware queries), decoded as an
     * isolated extra group by BOTH the teacher (outside the gradient) and the student (in training), so that both
     * attend to their memories with the same queries. Asked once per detector and batch with that detector's width.
     *
     * @param targets the batch's targets
     * @param width the hidden width {@code d} of the detector that will decode them
     * @param manager the batch's manager
     * @return queries in that detector's extra-group form ({@code [G, d]}; Deformable DETR {@code [G, 2d]}), or null
     *     for none (the default)
     */
    default NDArray targetQueries(List<ImageTargets> targets, int width, NDManager manager) {
        return null;
    }

    /**
     * The distillation terms of one batch.
     *
     * @param ps the student's parameter store (forward adapters with it)
     * @param in teacher and student outputs, targets and the teacher's ground-truth assignment
     * @param training {@code true} in training steps
     * @return named unweighted scalar terms (possibly none)
     */
    Map<String, NDArray> losses(ParameterStore ps, DistillationInputs in, boolean training);

    /** @return every setting of the method, for {@code spec.json} and reports (default: none) */
    default Map<String, Object> settings() {
        return Map.of();
    }
}
