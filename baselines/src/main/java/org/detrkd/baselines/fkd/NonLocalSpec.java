package org.detrkd.baselines.fkd;

import java.util.Arrays;

/**
 * Shape of one level's non-local block in FKD.
 *
 * @param reduction inner channels are {@code C / reduction} (at least 1)
 * @param pools max-pool kernels (stride = kernel) applied in order to the {@code g} and {@code phi} branches; a kernel
 *     larger than the map is reduced to the map size (the reference would fail on such a map)
 */
public record NonLocalSpec(int reduction, int[] pools) {

    /** Checks and copies. */
    public NonLocalSpec {
        if (reduction < 1) {
            throw new IllegalArgumentException("reduction must be >= 1, got " + reduction);
        }
        for (int k : pools) {
            if (k < 1) {
                throw new IllegalArgumentException("pool kernels must be >= 1, got " + Arrays.toString(pools));
            }
        }
        pools = pools.clone();
    }

    @Override
    public int[] pools() {
        return pools.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NonLocalSpec s && s.reduction == reduction && Arrays.equals(s.pools, pools);
    }

    @Override
    public int hashCode() {
        return 31 * reduction + Arrays.hashCode(pools);
    }

    @Override
    public String toString() {
        return "NonLocalSpec[reduction=" + reduction + ", pools=" + Arrays.toString(pools) + "]";
    }
}
