package org.detrkd.suites.spec;

import static org.testng.Assert.assertEquals;

import java.util.List;
import org.detrkd.reports.model.Scale;
import org.testng.annotations.Test;

/**
 * The time estimate of table 7 at smoke scale, worked by hand from {@link StepTimes}' table: AdaMixer's mini student
 * (350 ms per 16-image step at 128 px on 3 stages) at 64x64 with the paper's 6 stages costs
 * {@code 0.350 / 16 x 4096/16384 x (2/3 + 6/3/3) = 0.00729 s} per image, its teacher 450 ms per step; 1 epoch of 16
 * images in 8 steps of 2, plus 8 validation images at a third of that; Tab. 7 distils logits only (no AD: 1.3x).
 */
public class StepTimesTest {
    private static final double STUDENT = 0.350 / 16 * 0.25 * (2.0 / 3 + 6.0 / 3 / 3);
    private static final double TEACHER = 0.450 / 16 * 0.25 * (2.0 / 3 + 6.0 / 3 / 3);

    @Test
    public void table7AtSmokeScale() {
        List<Cell> cells = SuiteExpander.expand(SuiteCatalog.builtIn("table7"), Scale.SMOKE);
        double baseline = 16 * STUDENT + 8 * STUDENT / 3;
        double distill = 16 * (STUDENT * 1.3 + TEACHER / 3) + 8 * STUDENT / 3;
        double teacher = 16 * TEACHER + 8 * TEACHER / 3;
        assertEquals(StepTimes.cellSeconds(cells.get(0)), baseline, 1e-12);
        assertEquals(StepTimes.cellSeconds(cells.get(1)), distill, 1e-12);
        assertEquals(StepTimes.teacherSeconds(cells.get(1).teacher()), teacher, 1e-12);
        // two distillation cells share one teacher, trained once
        assertEquals(StepTimes.suiteSeconds(cells), (baseline + 2 * distill + teacher) / StepTimes.cores(),
                1e-12);
    }

    @Test
    public void teacherCellsAreNotCountedTwice() {
        List<Cell> cells = SuiteExpander.expand(SuiteCatalog.builtIn("table3"), Scale.SMOKE);
        double sum = cells.stream().mapToDouble(StepTimes::cellSeconds).sum();
        assertEquals(StepTimes.suiteSeconds(cells), sum / StepTimes.cores(), 1e-9);
    }

    @Test
    public void humanUnits() {
        assertEquals(StepTimes.human(12.4), "12 s");
        assertEquals(StepTimes.human(420), "7 min");
        assertEquals(StepTimes.human(3.4 * 3600), "3.4 h");
        assertEquals(StepTimes.human(41 * 86400), "41 d");
        assertEquals(StepTimes.human(15 * 365 * 86400.0), "15 y");
    }
}
