package org.detrkd.reports.aggregate;

/**
 * How our change against the plain student compares with the paper's claim for one metric ({@link DirectionRule}).
 * The ids are what {@code summary.csv} writes in its {@code verdict} column.
 */
public enum Verdict {
    /** Our change is clearly of the paper's sign. */
    AGREE("agree"),
    /** Our change is clearly of the opposite sign: a component that helps in the paper hurts here, or the reverse. */
    DISAGREE("disagree"),
    /** Our change is within the noise: no clear direction, so neither agreement nor disagreement. */
    WITHIN_NOISE("within-noise"),
    /** The paper's own change is below 0.1 AP points: it claims no direction. */
    NO_CLAIM("no-claim");

    private final String id;

    Verdict(String id) {
        this.id = id;
    }

    /** The CSV id: {@code agree}, {@code disagree}, {@code within-noise}, {@code no-claim}. */
    public String id() {
        return id;
    }
}
