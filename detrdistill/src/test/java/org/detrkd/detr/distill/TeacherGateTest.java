package org.detrkd.detr.distill;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.expectThrows;

import java.nio.file.Path;
import org.detrkd.datasets.io.InputException;
import org.testng.annotations.Test;

/** The teacher gate's refusal: one line with the AP found and the AP required. */
public class TeacherGateTest {

    @Test
    public void refusesBelowTheRequiredApWithBothNumbers() {
        Path dir = Path.of("runs", "teacher");
        InputException e = expectThrows(InputException.class, () -> TeacherGate.requireAtLeast(0.0123, 0.3, dir));
        assertEquals(e.file(), dir.toString());
        assertEquals(e.location(), "val");
        assertEquals(e.problem(), "teacher AP 0.0123 is below the required 0.3000 (--min-teacher-ap): refusing to "
                + "distill from it (wrong checkpoint, or not trained enough?)");
        expectThrows(InputException.class, () -> TeacherGate.requireAtLeast(Double.NaN, 0.0, dir));
        TeacherGate.requireAtLeast(0.3, 0.3, dir); // equal is enough
    }
}
