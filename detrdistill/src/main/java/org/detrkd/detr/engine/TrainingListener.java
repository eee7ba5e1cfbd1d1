package org.detrkd.detr.engine;

import java.util.Map;

/**
 * Callbacks of a {@link TrainingLoop}: per step (cheap; values already on the host) and per epoch end, where an
 * evaluation can run and return metrics that go into the epoch's checkpoint JSON (e.g. {@code bbox_mAP}).
 */
public interface TrainingListener {

    /**
     * @param result the step that just completed
     */
    default void onStep(StepResult result) {}

    /**
     * @param epoch the epoch (0-based) that just completed
     * @param meanTerms the epoch's mean of every loss term and of {@code loss}
     * @return metrics to record with the epoch's checkpoint
     */
    default Map<String, Double> onEpochEnd(int epoch, Map<String, Double> meanTerms) {
        return Map.of();
    }
}
