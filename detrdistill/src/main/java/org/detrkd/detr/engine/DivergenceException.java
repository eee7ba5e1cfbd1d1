package org.detrkd.detr.engine;

import java.util.Map;

/**
 * Thrown when a step produces a non-finite loss term or gradient norm: the run stops instead of silently
 * training on NaN. The message names the step and every diverged term with its value.
 */
public class DivergenceException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final long step;
    private final Map<String, Float> diverged;

    /**
     * @param step the global step (0-based) that diverged
     * @param diverged the non-finite terms (or {@code grad_norm}) and their values
     * @param lr the learning rate of that step
     */
    public DivergenceException(long step, Map<String, Float> diverged, double lr) {
        super("training diverged at step " + step + " (lr " + lr + "): non-finite " + diverged);
        this.step = step;
        this.diverged = Map.copyOf(diverged);
    }

    /**
     * @return the global step that diverged
     */
    public long step() {
        return step;
    }

    /**
     * @return the non-finite terms and their values
     */
    public Map<String, Float> diverged() {
        return diverged;
    }
}
