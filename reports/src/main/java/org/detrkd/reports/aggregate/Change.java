package org.detrkd.reports.aggregate;

/**
 * Our change against the plain student for one metric of one row, in AP points (0-100), with what we know of its
 * noise.
 *
 * @param delta our mean minus the baseline's mean (equal to the mean of the per-seed differences when paired)
 * @param se the standard error of {@code delta} (NaN for {@link Test#FLOOR})
 * @param n seeds behind the row's mean (for {@link Test#PAIRED}, the number of pairs)
 * @param nBase seeds behind the baseline's mean
 * @param test how the noise is judged
 */
public record Change(double delta, double se, int n, int nBase, Test test) {
    /** How the noise of a change is judged. */
    public enum Test {
        /** Both sides have the same two or more seeds: the standard error of the per-seed differences. */
        PAIRED("paired-se"),
        /** Both sides have two or more seeds, not the same ones: sqrt(s1^2/n1 + s2^2/n2). */
        UNPAIRED("unpaired-se"),
        /** A single seed on one side or both: the noise floor. */
        FLOOR("floor");

        private final String id;

        Test(String id) {
            this.id = id;
        }

        /** The CSV id: {@code paired-se}, {@code unpaired-se}, {@code floor}. */
        public String id() {
            return id;
        }
    }
}
