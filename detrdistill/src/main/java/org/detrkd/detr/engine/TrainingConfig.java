package org.detrkd.detr.engine;

import java.nio.file.Path;

/**
 * Settings of a {@link TrainingLoop} run.
 *
 * @param seed the run seed (engine RNG per step, data order per epoch)
 * @param batchSize samples per optimizer step
 * @param epochs number of epochs; the run has {@code epochs * stepsPerEpoch} steps
 * @param clipMaxNorm global gradient-norm threshold (DETR 0.1; {@code <= 0} disables clipping)
 * @param logEvery log progress every this many steps (and at the end of every epoch)
 * @param checkpointDir where checkpoints go; {@code null} disables checkpointing and resuming
 * @param checkpointEveryEpoch write a checkpoint at the end of every epoch
 * @param checkpointEverySteps also every this many steps ({@code <= 0}: never)
 * @param keepCheckpoints how many checkpoints to keep ({@code <= 0}: all)
 */
public record TrainingConfig(long seed, int batchSize, int epochs, double clipMaxNorm, int logEvery,
        Path checkpointDir, boolean checkpointEveryEpoch, int checkpointEverySteps, int keepCheckpoints) {

    public TrainingConfig {
        if (batchSize <= 0 || epochs <= 0 || logEvery <= 0) {
            throw new IllegalArgumentException(
                    "batchSize, epochs and logEvery must be positive: " + batchSize + ", " + epochs + ", " + logEvery);
        }
    }

    /**
     * DETR-like defaults: clip 0.1, log every 50 steps, a checkpoint per epoch, keep the last 2.
     *
     * @param seed the run seed
     * @param batchSize samples per step
     * @param epochs number of epochs
     * @param checkpointDir checkpoint folder or {@code null}
     * @return the configuration
     */
    public static TrainingConfig of(long seed, int batchSize, int epochs, Path checkpointDir) {
        return new TrainingConfig(seed, batchSize, epochs, GradientClipping.DEFAULT_MAX_NORM, 50, checkpointDir,
                true, 0, 2);
    }

    /**
     * @param steps log interval in steps
     * @return a copy with that interval
     */
    public TrainingConfig withLogEvery(int steps) {
        return new TrainingConfig(seed, batchSize, epochs, clipMaxNorm, steps, checkpointDir, checkpointEveryEpoch,
                checkpointEverySteps, keepCheckpoints);
    }

    /**
     * @param maxNorm clipping threshold
     * @return a copy with that threshold
     */
    public TrainingConfig withClipMaxNorm(double maxNorm) {
        return new TrainingConfig(seed, batchSize, epochs, maxNorm, logEvery, checkpointDir, checkpointEveryEpoch,
                checkpointEverySteps, keepCheckpoints);
    }

    /**
     * @param everyEpoch checkpoint at each epoch end
     * @param everySteps also every this many steps (0: never)
     * @return a copy with that checkpoint policy
     */
    public TrainingConfig withCheckpointing(boolean everyEpoch, int everySteps) {
        return new TrainingConfig(seed, batchSize, epochs, clipMaxNorm, logEvery, checkpointDir, everyEpoch,
                everySteps, keepCheckpoints);
    }
}
