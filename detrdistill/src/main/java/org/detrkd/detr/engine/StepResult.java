package org.detrkd.detr.engine;

import java.util.Map;

/**
 * What one training step produced, read from the device in a single transfer.
 *
 * @param step the global step (0-based) that ran
 * @param epoch its epoch (0-based)
 * @param lr the base learning rate used
 * @param loss the weighted total loss
 * @param terms every unweighted loss term, sorted by name
 * @param gradNorm the global gradient norm before clipping
 * @param clipCoefficient the factor applied to the gradients (1 if not clipped)
 * @param batchSize samples in the batch
 * @param seconds wall time of the step
 */
public record StepResult(long step, int epoch, double lr, float loss, Map<String, Float> terms, float gradNorm,
        double clipCoefficient, int batchSize, double seconds) {}
