package org.detrkd.reports.aggregate;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The honest DISAGREE mark: whether our change against the plain student has a clear direction, and how that
 * direction compares with the paper's claim. All numbers are AP points on the paper's 0-100 scale.
 *
 * <p>Our change is <em>within the noise</em> (no clear direction) when
 * <ul>
 *   <li>both sides have two or more finished seeds: {@code |delta| <= 2 x SE}, where SE is the standard error of
 *       the per-seed differences (sample std / sqrt(n)) when the method and the baseline have exactly the same seeds
 *       (paired), else the unpaired {@code sqrt(s1^2/n1 + s2^2/n2)};</li>
 *   <li>either side has a single finished seed: {@code |delta| < noiseFloor} (default 0.5 points, i.e. 0.005 on the
 *       0-1 scale).</li>
 * </ul>
 * A change of exactly zero is always within the noise. The paper's own change below 0.1 points is no claim
 * ({@link Verdict#NO_CLAIM}), checked first. Otherwise the verdict is {@link Verdict#WITHIN_NOISE}, or
 * {@link Verdict#AGREE} / {@link Verdict#DISAGREE} by sign. Comparisons allow 1e-9 for the rounding of values that
 * are printed with one or two decimals (a paper change of 43.8 - 43.7 is a claim of 0.1; a single-seed change of
 * exactly the noise floor is clear, and one of exactly 2 x SE is within the noise).
 *
 * @param noiseFloor the single-seed noise floor in AP points (finite, {@code >= 0})
 */
public record DirectionRule(double noiseFloor) {
    /** The default single-seed noise floor: 0.5 AP points (0.005 on the 0-1 scale). */
    public static final double DEFAULT_NOISE_FLOOR = 0.5;
    /** A paper change below this many AP points (0.001 on the 0-1 scale) claims no direction. */
    public static final double NO_CLAIM_BELOW = 0.1;
    /** A multi-seed change within this many standard errors of zero is within the noise. */
    public static final double SE_MULTIPLE = 2.0;
    private static final double EPS = 1e-9;

    /** One finished seed's value of one metric, in AP points. */
    public record Sample(long seed, double value) {
    }

    /** Checks the floor. */
    public DirectionRule {
        if (!(noiseFloor >= 0) || Double.isInfinite(noiseFloor)) {
            throw new IllegalArgumentException("noise floor must be a finite number >= 0, got " + noiseFloor);
        }
    }

    /** The rule with the default noise floor. */
    public static DirectionRule defaults() {
        return new DirectionRule(DEFAULT_NOISE_FLOOR);
    }

    /**
     * Our change and its noise from the finished seeds of a row and of its baseline; null when either side has no
     * finished seed.
     */
    public Change change(List<Sample> ours, List<Sample> base) {
        if (ours.isEmpty() || base.isEmpty()) {
            return null;
        }
        double delta = mean(ours) - mean(base);
        int n = ours.size();
        int nb = base.size();
        if (n >= 2 && sameSeeds(ours, base)) {
            double[] d = new double[n];
            for (int i = 0; i < n; i++) {
                long seed = ours.get(i).seed();
                d[i] = ours.get(i).value() - base.stream().filter(s -> s.seed() == seed).findFirst()
                        .orElseThrow().value();
            }
            return new Change(delta, std(d) / Math.sqrt(n), n, nb, Change.Test.PAIRED);
        }
        if (n >= 2 && nb >= 2) {
            double s1 = std(values(ours));
            double s2 = std(values(base));
            return new Change(delta, Math.sqrt(s1 * s1 / n + s2 * s2 / nb), n, nb, Change.Test.UNPAIRED);
        }
        return new Change(delta, Double.NaN, n, nb, Change.Test.FLOOR);
    }

    /** Whether {@code c} has no clear direction. */
    public boolean withinNoise(Change c) {
        double size = Math.abs(c.delta());
        if (size <= EPS) {
            return true;
        }
        return c.test() == Change.Test.FLOOR ? size < noiseFloor - EPS : size <= SE_MULTIPLE * c.se() + EPS;
    }

    /** Whether the paper's change {@code paperDelta} claims a direction. */
    public static boolean isClaim(double paperDelta) {
        return Math.abs(paperDelta) >= NO_CLAIM_BELOW - EPS;
    }

    /** The verdict of our change against the paper's, or null when either is missing. */
    public Verdict verdict(Change ours, Double paperDelta) {
        if (ours == null || paperDelta == null || paperDelta.isNaN()) {
            return null;
        }
        if (!isClaim(paperDelta)) {
            return Verdict.NO_CLAIM;
        }
        if (withinNoise(ours)) {
            return Verdict.WITHIN_NOISE;
        }
        return Math.signum(ours.delta()) == Math.signum(paperDelta) ? Verdict.AGREE : Verdict.DISAGREE;
    }

    /**
     * One line on how the noise of {@code c} was judged, for tooltips and the check's output, e.g.
     * {@code paired by seed over 3 seeds: |+0.20| <= 2 x SE 0.12, within the noise}.
     */
    public String explain(Change c) {
        String size = String.format(Locale.ROOT, "|%+.2f|", c.delta());
        boolean noise = withinNoise(c);
        String verdict = noise ? "within the noise" : "a clear change";
        return switch (c.test()) {
            case PAIRED -> String.format(Locale.ROOT, "paired by seed over %d seeds: %s %s 2 x SE %.2f, %s",
                    c.n(), size, noise ? "<=" : ">", c.se(), verdict);
            case UNPAIRED -> String.format(Locale.ROOT, "unpaired, %d vs %d seeds: %s %s 2 x SE %.2f, %s",
                    c.n(), c.nBase(), size, noise ? "<=" : ">", c.se(), verdict);
            case FLOOR -> String.format(Locale.ROOT, "%d vs %d seeds: %s %s noise floor %.2f, %s",
                    c.n(), c.nBase(), size, noise ? "<" : ">=", noiseFloor, verdict);
        };
    }

    private static boolean sameSeeds(List<Sample> a, List<Sample> b) {
        Set<Long> sa = new HashSet<>();
        Set<Long> sb = new HashSet<>();
        a.forEach(s -> sa.add(s.seed()));
        b.forEach(s -> sb.add(s.seed()));
        return sa.size() == a.size() && sb.size() == b.size() && sa.equals(sb);
    }

    private static double[] values(List<Sample> s) {
        return s.stream().mapToDouble(Sample::value).toArray();
    }

    private static double mean(List<Sample> s) {
        return s.stream().mapToDouble(Sample::value).average().orElse(Double.NaN);
    }

    /** Sample standard deviation (n - 1). */
    private static double std(double[] v) {
        double m = 0;
        for (double x : v) {
            m += x;
        }
        m /= v.length;
        double ss = 0;
        for (double x : v) {
            ss += (x - m) * (x - m);
        }
        return Math.sqrt(ss / (v.length - 1));
    }
}
