package org.detrkd.detr.engine;

import java.util.SplittableRandom;

/**
 * The run's randomness as pure functions of (seed, step) and (seed, epoch), so that a resumed run draws exactly
 * what the uninterrupted one would have drawn, with no generator state to save.
 *
 * <p>Before every step the engine reseeds the engine RNG (dropout, random initialisations made during the step)
 * with {@link #stepSeed}; the data order of an epoch is {@link #permutation}. Same seed, same thread settings and
 * same machine give the same numbers (multi-threaded CPU kernels may reduce in a different order on a different
 * thread count).
 */
public final class StepSeeds {

    private StepSeeds() {}

    /**
     * @param seed the run seed
     * @param step the global step (0-based)
     * @return the engine seed for that step (a non-negative int, as {@code Engine.setRandomSeed} takes)
     */
    public static int stepSeed(long seed, long step) {
        return (int) (mix(mix(seed) ^ (step * 0x9E3779B97F4A7C15L + 1)) >>> 33);
    }

    /**
     * The engine seed of one replica of a data-parallel step (see {@link DataParallel}): replica 0 (the primary)
     * draws with {@link #stepSeed}, every other replica with a seed mixed from (seed, step, replica), so dropout
     * masks differ between replicas (as on separate GPUs) and do not depend on the order the replicas run in.
     *
     * @param seed the run seed
     * @param step the global step (0-based)
     * @param replica the replica index (0 is the primary)
     * @return a non-negative int seed
     */
    public static int replicaSeed(long seed, long step, int replica) {
        if (replica == 0) {
            return stepSeed(seed, step);
        }
        return (int) (mix(mix(mix(seed) ^ (step * 0x9E3779B97F4A7C15L + 1)) + replica * 0xD6E8FEB86659FD93L) >>> 33);
    }

    /**
     * A uniformly random permutation of {@code 0..n-1} for one epoch (Fisher-Yates).
     *
     * @param seed the run seed
     * @param epoch the epoch (0-based)
     * @param n number of samples
     * @return the sample order of that epoch
     */
    public static int[] permutation(long seed, int epoch, int n) {
        SplittableRandom random = new SplittableRandom(mix(seed ^ 0x5DEECE66DL) + epoch * 0xBF58476D1CE4E5B9L);
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    /** SplitMix64 finaliser: a bijective mix of 64 bits. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
