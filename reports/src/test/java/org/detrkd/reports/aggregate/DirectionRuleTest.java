package org.detrkd.reports.aggregate;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertNull;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

import java.util.ArrayList;
import java.util.List;
import org.detrkd.reports.aggregate.DirectionRule.Sample;
import org.testng.annotations.Test;

/** The direction rule on hand-computed cases (AP points, 0-100). */
public class DirectionRuleTest {
    private static final double EPS = 1e-9;
    private final DirectionRule rule = DirectionRule.defaults();

    /** Samples for seeds {@code firstSeed, firstSeed + 1, ...}. */
    private static List<Sample> seeds(long firstSeed, double... values) {
        List<Sample> out = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            out.add(new Sample(firstSeed + i, values[i]));
        }
        return out;
    }

    @Test
    public void singleSeedChangeBelowTheFloorIsWithinTheNoise() {
        // 42.3 - 42.0 = +0.3 < 0.5: no clear direction, even against a paper gain of +1.2 or a loss of -1.2
        Change c = rule.change(seeds(0, 42.3), seeds(0, 42.0));
        assertEquals(c.delta(), 0.3, EPS);
        assertEquals(c.test(), Change.Test.FLOOR);
        assertTrue(Double.isNaN(c.se()));
        assertTrue(rule.withinNoise(c));
        assertEquals(rule.verdict(c, 1.2), Verdict.WITHIN_NOISE);
        assertEquals(rule.verdict(c, -1.2), Verdict.WITHIN_NOISE);
        assertEquals(rule.explain(c), "1 vs 1 seeds: |+0.30| < noise floor 0.50, within the noise");
        // the example: +0.03 points (0.0003 on the 0-1 scale) against +1.2 was flagged DISAGREE before
        assertEquals(rule.verdict(rule.change(seeds(0, 42.03), seeds(0, 42.0)), -1.2), Verdict.WITHIN_NOISE);
    }

    @Test
    public void clearSingleSeedDisagreementAndAgreement() {
        // 41.0 - 42.0 = -1.0, |-1.0| >= 0.5: clear; the paper's +0.6 is a claim of the other sign
        Change c = rule.change(seeds(0, 41.0), seeds(0, 42.0));
        assertFalse(rule.withinNoise(c));
        assertEquals(rule.verdict(c, 0.6), Verdict.DISAGREE);
        assertEquals(rule.verdict(c, -1.6), Verdict.AGREE);
        assertEquals(rule.explain(c), "1 vs 1 seeds: |-1.00| >= noise floor 0.50, a clear change");
        // exactly at the floor is clear (the rule is |change| < floor); a wider floor makes it noise
        assertFalse(rule.withinNoise(rule.change(seeds(0, 42.5), seeds(0, 42.0))));
        assertEquals(new DirectionRule(1.5).verdict(c, 0.6), Verdict.WITHIN_NOISE);
    }

    @Test
    public void threeSeedsPairedStandardErrorByHand() {
        // ours 42.2, 42.9, 43.6 and the student 42.0, 42.4, 42.5 on seeds 0, 1, 2:
        // differences 0.2, 0.5, 1.1, mean 0.6; deviations -0.4, -0.1, 0.5, squares 0.16 + 0.01 + 0.25 = 0.42;
        // sample variance 0.42 / 2 = 0.21; SE = sqrt(0.21 / 3) = sqrt(0.07) = 0.264575...; 2 x SE = 0.529 < 0.6
        Change c = rule.change(seeds(0, 42.2, 42.9, 43.6), seeds(0, 42.0, 42.4, 42.5));
        assertEquals(c.test(), Change.Test.PAIRED);
        assertEquals(c.n(), 3);
        assertEquals(c.delta(), 0.6, EPS);
        assertEquals(c.se(), Math.sqrt(0.07), EPS);
        assertFalse(rule.withinNoise(c));
        assertEquals(rule.verdict(c, 1.2), Verdict.AGREE);
        assertEquals(rule.verdict(c, -0.5), Verdict.DISAGREE);
        assertEquals(rule.explain(c), "paired by seed over 3 seeds: |+0.60| > 2 x SE 0.26, a clear change");
    }

    @Test
    public void sameValuesOnOtherSeedsAreUnpairedAndWithinTheNoise() {
        // the same numbers, but the student ran seeds 3, 4, 5: unpaired. ours: mean 42.9, deviations -0.7, 0, 0.7,
        // variance 0.98 / 2 = 0.49; student: mean 42.3, deviations -0.3, 0.1, 0.2, variance 0.14 / 2 = 0.07;
        // SE = sqrt(0.49 / 3 + 0.07 / 3) = sqrt(0.56 / 3) = 0.43205; 2 x SE = 0.864 >= 0.6: within the noise
        Change c = rule.change(seeds(0, 42.2, 42.9, 43.6), seeds(3, 42.0, 42.4, 42.5));
        assertEquals(c.test(), Change.Test.UNPAIRED);
        assertEquals(c.delta(), 0.6, EPS);
        assertEquals(c.se(), Math.sqrt(0.56 / 3), EPS);
        assertTrue(rule.withinNoise(c));
        assertEquals(rule.verdict(c, -0.5), Verdict.WITHIN_NOISE);
        assertEquals(rule.explain(c), "unpaired, 3 vs 3 seeds: |+0.60| <= 2 x SE 0.43, within the noise");
    }

    @Test
    public void pairedOnlyWithExactlyTheSameSeeds() {
        // seeds 0, 1, 2 against 0, 1: unpaired (both have two or more seeds)
        assertEquals(rule.change(seeds(0, 42.2, 42.9, 43.6), seeds(0, 42.0, 42.4)).test(), Change.Test.UNPAIRED);
        // one finished seed on one side: the floor, even with several on the other
        Change one = rule.change(seeds(0, 42.2), seeds(0, 42.0, 42.4, 42.5));
        assertEquals(one.test(), Change.Test.FLOOR);
        assertEquals(one.delta(), 42.2 - 42.3, EPS);
        assertEquals(one.nBase(), 3);
        // a repeated seed cannot be paired
        List<Sample> repeated = List.of(new Sample(0, 43.0), new Sample(0, 43.2), new Sample(1, 43.1));
        assertEquals(rule.change(repeated, seeds(0, 42.0, 42.4, 42.5)).test(), Change.Test.UNPAIRED);
        assertNull(rule.change(List.of(), seeds(0, 42.0)));
    }

    @Test
    public void identicalPairedDifferencesAreClearAndZeroIsNeverADirection() {
        // differences +0.3 on every seed: SE 0, so even a change below the single-seed floor is clear
        Change c = rule.change(seeds(0, 42.3, 42.7), seeds(0, 42.0, 42.4));
        assertEquals(c.se(), 0.0, 1e-12);
        assertEquals(rule.verdict(c, 1.0), Verdict.AGREE);
        // no change at all: within the noise whatever the floor
        assertTrue(new DirectionRule(0).withinNoise(rule.change(seeds(0, 42.0), seeds(0, 42.0))));
    }

    @Test
    public void aPaperChangeOfZeroOrBelowATenthIsNoClaim() {
        Change clear = rule.change(seeds(0, 41.0), seeds(0, 42.0));
        assertEquals(rule.verdict(clear, 0.0), Verdict.NO_CLAIM);
        assertEquals(rule.verdict(clear, 0.09), Verdict.NO_CLAIM);
        assertEquals(rule.verdict(clear, -0.09), Verdict.NO_CLAIM);
        // 43.8 - 43.7 is 0.0999999... in doubles: the paper's one-decimal numbers claim a change of 0.1
        assertEquals(rule.verdict(clear, 43.8 - 43.7), Verdict.DISAGREE);
        assertNull(rule.verdict(clear, null));
        assertNull(rule.verdict(null, 1.0));
    }

    @Test
    public void theFloorMustBeFiniteAndNotNegative() {
        assertEquals(expectThrows(IllegalArgumentException.class, () -> new DirectionRule(-0.1)).getMessage(),
                "noise floor must be a finite number >= 0, got -0.1");
        expectThrows(IllegalArgumentException.class, () -> new DirectionRule(Double.NaN));
        expectThrows(IllegalArgumentException.class, () -> new DirectionRule(Double.POSITIVE_INFINITY));
    }
}
