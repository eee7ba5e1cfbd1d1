package org.detrkd.suites.run;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertNull;
import static org.testng.Assert.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.detrkd.reports.model.LoadedResult;
import org.detrkd.reports.model.ResultJson;
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
            // the cell page's analysis: IS per transition of the 6 stages, counts over 8 val images x 100 queries
            assertEquals(rec.instability().size(), 5, rec.cellId() + " " + rec.instability());
            for (double v : rec.instability()) {
                assertTrue(v >= 0 && v <= 800 && v == Math.rint(v), rec.cellId() + " " + rec.instability());
            }
            if (!kd) {
                assertNull(rec.maskImages(), "no selection masks without feature distillation");
                continue;
            }
            // DETRDistill with FD: the teacher's selection masks over the first 4 val images, 64 px drawn at 3x
            assertEquals(rec.maskImages().size(), 4, rec.maskImages().toString());
            Path cell = l.file().getParent();
            for (String m : rec.maskImages()) {
                assertTrue(m.matches("masks/mask-\\d+\\.png"), m);
                BufferedImage img = ImageIO.read(cell.resolve(m).toFile());
                assertEquals(img.getWidth(), 192, m);
                assertEquals(img.getHeight(), 192, m);
            }
        }
        // the report copies them next to the cell page and shows the instability chart
        Path site = root.resolve("site");
        RunFixtures.Outcome rep = RunFixtures.cli("report", out.toString(), "--out", site.toString());
        assertEquals(rep.code(), 0, rep.out() + rep.err());
        try (var pages = Files.walk(site)) {
            List<Path> html = pages.filter(p -> p.getFileName().toString().startsWith("adamixer.detrdistill")
                    && p.toString().endsWith(".html")).toList();
            assertEquals(html.size(), 1, html.toString());
            String page = Files.readString(html.get(0));
            assertTrue(page.contains("<h2>Instability</h2>") && page.contains("<h2>Selection masks</h2>"), page);
            assertEquals(page.split("<img src=\"", -1).length - 1, 4, "four mask images on the page");
        }
        // a result written before the analysis existed gets it on the next run, from the cell's last checkpoint
        Path result = out.resolve("cells/adamixer.detrdistill.seed0/result.json");
        ResultRecord measured = ResultJson.read(result);
        ResultJson.write(result, CellAnalysis.NONE.applyTo(measured));
        Files.delete(result.resolveSibling(measured.maskImages().get(0)));
        RunFixtures.Outcome again = RunFixtures.cli("run", "table3", "--scale", "smoke", "--out", out.toString(),
                "--data-root", root.toString(), "--threads", "1", "--only", "adamixer.detrdistill,deformable.none");
        assertEquals(again.code(), 0, again.out() + again.err());
        assertTrue(again.out().contains("0 finished, 2 skipped (finished before), 0 failed"), again.out());
        ResultRecord backfilled = ResultJson.read(result);
        assertEquals(backfilled.instability(), measured.instability(), "the same weights, the same instability");
        assertEquals(backfilled.maskImages(), measured.maskImages());
        assertTrue(Files.isRegularFile(result.resolveSibling(measured.maskImages().get(0))), "drawn again");
        assertEquals(backfilled.metrics(), measured.metrics());
        assertEquals(backfilled.finishedAt(), measured.finishedAt());
    }
}
