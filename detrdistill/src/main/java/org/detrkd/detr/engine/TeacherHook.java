package org.detrkd.detr.engine;

import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;

/**
 * A frozen teacher run once per step, before the student's gradient collector opens.
 *
 * <p>Guarantees given by the {@link TrainingLoop}: {@link #forward} is called outside any gradient collector
 * (PyTorch grad mode off), with a {@link ParameterStore} that belongs to the teacher alone and is never updated,
 * so no teacher parameter enters the gradient and the optimizer never sees one. The returned arrays are moved to
 * the step manager and closed with the batch, except arrays that are teacher parameters themselves (a detector may
 * return its query embeddings as an output), which stay where they are. Implementations must forward their block with
 * {@code training = false} (the default implementation does): a frozen BatchNorm still updates its running
 * statistics when forwarded in training mode, and dropout would make the teacher stochastic.
 */
public interface TeacherHook {

    /**
     * The teacher block; its parameters must be disjoint from the student's (checked by the engine).
     *
     * @return the initialised (usually pre-trained) teacher block
     */
    Block block();

    /**
     * Computes what the distillation losses read from the teacher for one batch.
     *
     * @param teacherStore the teacher's own parameter store
     * @param data the batch inputs (same arrays the student receives)
     * @param labels the batch targets
     * @return the teacher outputs, in whatever layout the {@link TrainingTask} expects
     */
    default NDList forward(ParameterStore teacherStore, NDList data, NDList labels) {
        return block().forward(teacherStore, data, false);
    }

    /**
     * A hook that forwards {@code block} on the batch inputs with {@code training = false}.
     *
     * @param block the teacher
     * @return the hook
     */
    static TeacherHook frozen(Block block) {
        return () -> block;
    }
}
