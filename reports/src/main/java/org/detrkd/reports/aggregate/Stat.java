package org.detrkd.reports.aggregate;

import java.util.List;

/**
 * Mean and sample standard deviation (n - 1 in the denominator) over seeds.
 *
 * @param mean the mean, NaN when {@code n == 0}
 * @param std the sample standard deviation, NaN when {@code n < 2}
 * @param n how many values
 */
public record Stat(double mean, double std, int n) {
    /** The statistics of {@code values}. */
    public static Stat of(List<Double> values) {
        int n = values.size();
        if (n == 0) {
            return new Stat(Double.NaN, Double.NaN, 0);
        }
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        double mean = sum / n;
        if (n < 2) {
            return new Stat(mean, Double.NaN, 1);
        }
        double ss = 0;
        for (double v : values) {
            ss += (v - mean) * (v - mean);
        }
        return new Stat(mean, Math.sqrt(ss / (n - 1)), n);
    }
}
