package org.detrkd.detr.ops;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Supplier;

/**
 * Gradient checkpointing (recomputation) for DJL's PyTorch engine, which has no {@code torch.utils.checkpoint}: a
 * model runs a memory-heavy stretch of its forward pass without recording the graph, hands the rest of the forward
 * a leaf standing for the stretch's output, and registers a {@link Segment} that, after the main backward pass has
 * filled that leaf's gradient, recomputes the stretch with the graph on and back-propagates through it (and then into
 * whatever fed it). Peak memory falls to one stretch's saved tensors at a time, for one extra forward of the stretch.
 *
 * <p>Protocol, on one thread: the forward calls {@link #register}; the training loop, inside its gradient collector,
 * calls {@link #backward(NDArray)} instead of the collector's backward: with segments pending it back-propagates the
 * loss keeping the graph (an upstream part may be reached again by a segment), then runs the segments newest first;
 * {@link #clear} drops segments left by a failed step. Used by Deformable DETR's encoder at paper size, where every
 * layer would otherwise keep gigabytes of sampled values for its backward.
 */
public final class GradientCheckpoint {

    /** A recomputed stretch of the forward pass. */
    public interface Segment {
        /** Recomputes the stretch with the graph on and back-propagates the gradient its output leaf received. */
        void backward();
    }

    private static final ThreadLocal<Deque<Segment>> PENDING = ThreadLocal.withInitial(ArrayDeque::new);

    private GradientCheckpoint() {}

    /** @param segment to run after the main backward pass of the current step */
    public static void register(Segment segment) {
        PENDING.get().push(segment);
    }

    /** @return whether segments wait for their backward pass */
    public static boolean hasPending() {
        return !PENDING.get().isEmpty();
    }

    /** Drops pending segments (after a failed step). */
    public static void clear() {
        PENDING.get().clear();
    }

    /**
     * The training step's backward pass: {@code loss} back-propagated (keeping the graph when segments are pending),
     * then every pending segment, newest first. Call inside the gradient collector.
     *
     * @param loss the scalar to minimise
     */
    public static void backward(NDArray loss) {
        Deque<Segment> pending = PENDING.get();
        try {
            backward(loss, loss.onesLike(), !pending.isEmpty());
            while (!pending.isEmpty()) {
                pending.pop().backward();
            }
        } finally {
            pending.clear();
        }
    }

    /**
     * Back-propagates a given gradient from a non-scalar output (the vector-Jacobian product), accumulating into
     * every leaf's gradient.
     *
     * @param output an array in the graph
     * @param gradient {@code d loss / d output}, same shape
     * @param keepGraph whether to keep the graph's buffers for another backward pass through it
     */
    public static void backward(NDArray output, NDArray gradient, boolean keepGraph) {
        JniUtils.backward((PtNDArray) output, (PtNDArray) gradient, keepGraph, false);
    }

    /**
     * Runs {@code body} with autograd recording off (no graph, nothing saved for a backward pass).
     *
     * @param body the computation
     * @param <T> its result
     * @return the result
     */
    public static <T> T withoutGraph(Supplier<T> body) {
        boolean before = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            return body.get();
        } finally {
            JniUtils.setGradMode(before);
        }
    }
}
