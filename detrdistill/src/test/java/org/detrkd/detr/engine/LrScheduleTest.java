package org.detrkd.detr.engine;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertThrows;

import org.testng.annotations.Test;

public class LrScheduleTest {

    @Test
    public void warmupThenStepDecay() {
        LrSchedule s = new LrSchedule(1e-4, 4, new long[] {10, 6}, 0.1);
        assertEquals(s.lr(0), 0.25e-4, 1e-15);
        assertEquals(s.lr(1), 0.5e-4, 1e-15);
        assertEquals(s.lr(3), 1e-4, 1e-15);
        assertEquals(s.lr(5), 1e-4, 1e-15);
        assertEquals(s.lr(6), 1e-5, 1e-15);
        assertEquals(s.lr(9), 1e-5, 1e-15);
        assertEquals(s.lr(10), 1e-6, 1e-15);
        assertEquals(s.lr(1_000_000), 1e-6, 1e-15);
    }

    @Test
    public void epochDecayIsAtTheEpochsFirstStep() {
        LrSchedule s = LrSchedule.epochs(2e-4, 0, new int[] {3}, 100, 0.1);
        assertEquals(s.lr(299), 2e-4, 1e-15);
        assertEquals(s.lr(300), 2e-5, 1e-15);
        assertEquals(LrSchedule.constant(0.5).lr(123), 0.5);
        assertThrows(IllegalArgumentException.class, () -> new LrSchedule(0, 0, new long[0], 0.1));
    }
}
