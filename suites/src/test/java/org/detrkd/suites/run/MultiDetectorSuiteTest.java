package org.detrkd.suites.run;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.detrkd.reports.model.LoadedResult;
import org.detrkd.reports.model.ResultLoader;
import org.detrkd.reports.model.ResultRecord;
import org.detrkd.reports.model.Status;
import org.testng.annotations.Test;

/**
 * The runner trains Deformable DETR and AdaMixer models and distils an AdaMixer student from its cached teacher: Tab.
 * 3's AdaMixer DETRDistill cell and Deformable DETR student cell at smoke scale (64 px, one epoch each, one thread;
 * about 30 s on an idle machine), readable by the reports with finite losses (the distillation terms included).
 */
public class MultiDetectorSuiteTest {

    @Test
    public void table3TrainsADeformableDetrStudentAndDistilsAnAdaMixerStudent() throws Exception {
        Path root = Files.createTempDirectory("detrkd-run-multi");
        Path out = root.resolve("out");
        RunFixtures.Outcome r = RunFixtures.cli("run", "table3", "--scale", "smoke", "--out", out.toString(),
                "--data-root", root.toString(), "--threads", "1", "--log-every", "8", "--only",
                "adamixer.detrdistill,deformable.none");
        assertEquals(r.code(), 0, r.out() + r.err());
        assertTrue(r.out().contains("2 finished, 0 skipped (finished before), 0 failed; 1 teachers trained"), r.out());
        List<LoadedResult> loaded = ResultLoader.load(List.of(out));
        assertEquals(loaded.size(), 2);
        for (LoadedResult l : loaded) {
            ResultRecord rec = l.record();
            assertEquals(rec.status(), Status.FINISHED, rec.cellId());
            assertEquals(rec.history().size(), 1, rec.cellId());
            var loss = rec.history().get(0).loss();
            boolean kd = rec.cellId().startsWith("adamixer.");
            assertEquals(loss.containsKey("kd_feat") && loss.containsKey("kd_assign_ce_0")
                    && loss.containsKey("kd_logits_pos_cls_0"), kd, rec.cellId() + " " + loss.keySet());
            assertTrue(loss.containsKey("loss_ce_4"), "6 decoder stages: " + loss.keySet());
            loss.values().forEach(v -> assertTrue(Double.isFinite(v), rec.cellId() + " " + loss));
        }
    }
}
