package org.detrkd.suites.run;

import static org.testng.Assert.assertEquals;

import java.util.Map;
import org.detrkd.detr.detrdistill.DetrDistillSettings;
import org.detrkd.reports.model.Scale;
import org.detrkd.suites.spec.Cell;
import org.detrkd.suites.spec.SuiteCatalog;
import org.detrkd.suites.spec.SuiteExpander;
import org.testng.annotations.Test;

/** A suite's DETRDistill options reach the method with the same meaning as its presets. */
public class CellTrainerOptionsTest {
    private static Cell cell(String suite, String runId) {
        return SuiteExpander.expand(SuiteCatalog.builtIn(suite), Scale.SMOKE).stream()
                .filter(c -> c.runId().equals(runId)).findFirst().orElseThrow();
    }

    @Test
    public void thePaperPresetCellRunsThePaperSettings() {
        Cell c = cell("table4", "conditional.detrdistill.enc6-dec3.seed0");
        Map<String, String> kd = CellTrainer.kdOptions(c.options());
        assertEquals(kd.get("ld-split"), "assignment");
        assertEquals(kd.get("ld-stages"), "progressive");
        assertEquals(kd.get("fd-mask"), "quality");
        Map<String, Object> ran = DetrDistillSettings.of(c.preset(), kd).toMap();
        Map<String, Object> paper = DetrDistillSettings.paper().toMap();
        ran.remove("ld-threshold"); // unused with the assignment split; the suite states 0.5
        paper.remove("ld-threshold");
        assertEquals(ran, paper);
    }
}
