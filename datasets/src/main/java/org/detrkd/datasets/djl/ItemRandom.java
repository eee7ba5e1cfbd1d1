package org.detrkd.datasets.djl;

import java.util.SplittableRandom;

/**
 * The random generator of one dataset item in one epoch, a pure function of {@code (seed, epoch, index)}: a run is
 * reproducible whatever the loading order or thread count, and a resumed run draws the same augmentations as an
 * uninterrupted one once {@link CocoDetectionDataset#setEpoch} is set.
 */
public final class ItemRandom {
    private ItemRandom() {}

    /** A generator seeded by mixing seed, epoch and index with the SplitMix64 finaliser. */
    public static SplittableRandom of(long seed, int epoch, long index) {
        long s = mix(seed + 0x9E3779B97F4A7C15L);
        s = mix(s ^ (epoch * 0xC2B2AE3D27D4EB4FL + 0x165667B19E3779F9L));
        s = mix(s ^ (index * 0xD6E8FEB86659FD93L + 0x27D4EB2F165667C5L));
        return new SplittableRandom(s);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
