package org.detrkd.detr.engine;

import java.util.Arrays;

/**
 * Learning rate as a pure function of the global step: linear warm-up, then step decay.
 *
 * <p>{@code lr(step) = base * min(1, (step + 1) / warmupSteps) * factor^(number of decay steps <= step)}.
 * DETR itself uses no warm-up and one decay by 0.1 ({@code lr_drop} epochs); Conditional DETR and the distillation
 * papers add a short warm-up. Being stateless, the schedule needs nothing saved to resume exactly (DJL's
 * {@code MultiFactorTracker} keeps state and cannot be rewound).
 *
 * @param baseLr the peak learning rate (before the backbone multiplier of {@link AdamW})
 * @param warmupSteps number of warm-up steps (0 for none)
 * @param decaySteps sorted global steps at which the rate is multiplied by {@code factor}
 * @param factor the decay factor (0.1 in DETR)
 */
public record LrSchedule(double baseLr, long warmupSteps, long[] decaySteps, double factor) {

    public LrSchedule {
        if (!(baseLr > 0) || warmupSteps < 0 || !(factor > 0)) {
            throw new IllegalArgumentException(
                    "need baseLr > 0, warmupSteps >= 0, factor > 0: " + baseLr + ", " + warmupSteps + ", " + factor);
        }
        decaySteps = decaySteps.clone();
        Arrays.sort(decaySteps);
    }

    /**
     * A schedule whose decays happen at epoch boundaries.
     *
     * @param baseLr the peak learning rate
     * @param warmupSteps number of warm-up steps
     * @param decayEpochs epochs (0-based) at whose first step the rate drops, e.g. {@code {200}} for DETR's lr_drop
     * @param stepsPerEpoch optimizer steps per epoch
     * @param factor the decay factor
     * @return the schedule
     */
    public static LrSchedule epochs(
            double baseLr, long warmupSteps, int[] decayEpochs, long stepsPerEpoch, double factor) {
        long[] steps = Arrays.stream(decayEpochs).mapToLong(e -> e * stepsPerEpoch).toArray();
        return new LrSchedule(baseLr, warmupSteps, steps, factor);
    }

    /**
     * A constant rate.
     *
     * @param lr the rate
     * @return the schedule
     */
    public static LrSchedule constant(double lr) {
        return new LrSchedule(lr, 0, new long[0], 0.1);
    }

    /**
     * @param step global step, 0-based
     * @return the learning rate used by that step
     */
    public double lr(long step) {
        double lr = baseLr;
        if (step < warmupSteps) {
            lr *= (double) (step + 1) / warmupSteps;
        }
        for (long d : decaySteps) {
            if (step >= d) {
                lr *= factor;
            }
        }
        return lr;
    }

    @Override
    public long[] decaySteps() {
        return decaySteps.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LrSchedule s && s.baseLr == baseLr && s.warmupSteps == warmupSteps
                && Arrays.equals(s.decaySteps, decaySteps) && s.factor == factor;
    }

    @Override
    public int hashCode() {
        return Double.hashCode(baseLr) * 31 + Long.hashCode(warmupSteps) * 17 + Arrays.hashCode(decaySteps);
    }

    @Override
    public String toString() {
        return "LrSchedule[baseLr=" + baseLr + ", warmupSteps=" + warmupSteps + ", decaySteps="
                + Arrays.toString(decaySteps) + ", factor=" + factor + "]";
    }
}
