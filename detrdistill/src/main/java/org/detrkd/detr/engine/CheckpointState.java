package org.detrkd.detr.engine;

import java.util.Map;

/**
 * The small JSON beside every checkpoint ({@code state.json}): where the run is and how to continue it identically.
 * The RNG needs no saved state: per-step engine seeds and per-epoch data orders are functions of
 * {@code (seed, step)} and {@code (seed, epoch)} ({@link StepSeeds}).
 *
 * @param step completed optimizer steps (the next step to run)
 * @param epoch the epoch the next step belongs to
 * @param seed the run seed
 * @param stepsPerEpoch optimizer steps per epoch (checked on resume)
 * @param batchSize samples per step (checked on resume)
 * @param optimizerSteps AdamW's update count (equal to {@code step})
 * @param metrics last-step and epoch metrics (losses, lr, grad norm, timings; evaluation results from listeners)
 */
public record CheckpointState(long step, int epoch, long seed, long stepsPerEpoch, int batchSize,
        long optimizerSteps, Map<String, Double> metrics) {}
