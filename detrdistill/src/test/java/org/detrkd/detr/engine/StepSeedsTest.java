package org.detrkd.detr.engine;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertNotEquals;
import static org.testng.Assert.assertTrue;

import java.util.Arrays;

import org.testng.annotations.Test;

public class StepSeedsTest {

    @Test
    public void permutationsAreDeterministicPermutationsThatChangePerEpoch() {
        int[] a = StepSeeds.permutation(42, 3, 1000);
        assertEquals(StepSeeds.permutation(42, 3, 1000), a);
        assertNotEquals(StepSeeds.permutation(42, 4, 1000), a);
        assertNotEquals(StepSeeds.permutation(43, 3, 1000), a);
        int[] sorted = a.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < sorted.length; i++) {
            assertEquals(sorted[i], i);
        }
    }

    @Test
    public void stepSeedsAreNonNegativeAndDistinct() {
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (long s = 0; s < 10_000; s++) {
            int seed = StepSeeds.stepSeed(7, s);
            assertTrue(seed >= 0);
            seen.add(seed);
        }
        assertEquals(seen.size(), 10_000);
        assertEquals(StepSeeds.stepSeed(7, 5), StepSeeds.stepSeed(7, 5));
        assertNotEquals(StepSeeds.stepSeed(7, 5), StepSeeds.stepSeed(8, 5));
    }
}
