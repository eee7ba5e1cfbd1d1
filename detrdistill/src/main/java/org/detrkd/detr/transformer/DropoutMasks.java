package org.detrkd.detr.transformer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;

import org.detrkd.detr.util.Scalars;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Recorded dropout masks, so that a recomputed stretch of the forward pass (gradient checkpointing) drops exactly
 * what the first pass dropped: while {@link #record} runs, every {@link Layers#dropout} on this thread draws its mask
 * explicitly ({@code uniform >= rate}, kept as booleans) and remembers it; while {@link #replay} runs, the same
 * masks are applied again in the same order. Outside both, dropout is the engine's own.
 *
 * <p>The masks belong to the manager of the arrays they were drawn for (the batch's) and are kept out of any
 * {@link NDScope} the layers open, so they live until the step's manager closes.
 */
public final class DropoutMasks {

    private static final ThreadLocal<DropoutMasks> CURRENT = new ThreadLocal<>();

    private final List<NDArray> masks = new ArrayList<>();
    private boolean replaying;
    private int next;

    /**
     * Runs {@code body}, drawing and remembering every dropout mask it uses.
     *
     * @param body the computation
     * @param <T> its result
     * @return the result
     */
    public <T> T record(Supplier<T> body) {
        masks.clear();
        return run(body, false);
    }

    /**
     * Runs {@code body} applying the recorded masks in order; it must ask for exactly the recorded masks.
     *
     * @param body the same computation as recorded
     * @param <T> its result
     * @return the result
     */
    public <T> T replay(Supplier<T> body) {
        next = 0;
        T result = run(body, true);
        if (next != masks.size()) {
            throw new IllegalStateException("the recomputation used " + next + " of " + masks.size()
                    + " recorded dropout masks");
        }
        return result;
    }

    private <T> T run(Supplier<T> body, boolean replay) {
        DropoutMasks outer = CURRENT.get();
        replaying = replay;
        CURRENT.set(this);
        try {
            return body.get();
        } finally {
            if (outer == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(outer);
            }
        }
    }

    /**
     * @param x the input
     * @param rate dropout rate in (0, 1)
     * @return {@code x} with the recorded (or a newly recorded) mask applied, or null when no recording is active
     */
    static NDArray applyIfActive(NDArray x, float rate) {
        DropoutMasks d = CURRENT.get();
        return d == null ? null : d.apply(x, rate);
    }

    private NDArray apply(NDArray x, float rate) {
        NDArray keep;
        if (replaying) {
            if (next >= masks.size() || !masks.get(next).getShape().equals(x.getShape())) {
                throw new IllegalStateException("dropout mask " + next + " of " + masks.size()
                        + " does not fit " + x.getShape());
            }
            keep = masks.get(next++);
        } else {
            keep = x.getManager().randomUniform(0f, 1f, x.getShape(), x.getDataType()).gte(rate);
            NDScope.unregister(keep);
            masks.add(keep);
        }
        return x.mul(Scalars.mul(keep.toType(x.getDataType(), false), 1.0 / (1.0 - rate)));
    }

    /** @return the number of masks recorded */
    public int size() {
        return masks.size();
    }
}
