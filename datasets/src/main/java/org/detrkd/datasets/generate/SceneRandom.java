package org.detrkd.datasets.generate;

import java.util.SplittableRandom;

/**
 * The random streams of a generated dataset: one independent {@link SplittableRandom} per image, seeded from
 * {@code (seed, split, index)} through a 64-bit mixer, so an image's content depends on nothing else: not on the
 * thread that draws it nor on the images drawn before. Also the few sampling helpers the generators share.
 *
 * <p>Transcendental functions go through {@link StrictMath} in the generators, so pixels are bit-identical
 * whether a method runs interpreted or JIT-compiled.
 */
public final class SceneRandom {
    private SceneRandom() {}

    /** The random stream of image {@code index} of {@code split}. */
    public static SplittableRandom forImage(long seed, String split, int index) {
        long z = mix64(seed + 0x9E3779B97F4A7C15L * (split.hashCode() + 1L));
        z = mix64(z ^ (index * 0xD1B54A32D192ED03L + 0x632BE59BD9B4E019L));
        return new SplittableRandom(z);
    }

    /** Stafford's "mix 13" finaliser (as in SplitMix64): a bijection that spreads every input bit. */
    static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Uniform in [lo, hi). */
    static double uniform(SplittableRandom r, double lo, double hi) {
        return lo + (hi - lo) * r.nextDouble();
    }

    /** Log-uniform in [lo, hi): equal mass per octave, the natural law for object scales. */
    static double logUniform(SplittableRandom r, double lo, double hi) {
        return lo * StrictMath.exp(StrictMath.log(hi / lo) * r.nextDouble());
    }

    /** Uniform integer in [lo, hi], both included. */
    static int between(SplittableRandom r, int lo, int hi) {
        return lo + r.nextInt(hi - lo + 1);
    }
}
