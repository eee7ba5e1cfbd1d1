package org.detrkd.suites.run;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import ai.djl.ndarray.NDManager;
import java.util.Map;
import org.detrkd.baselines.MethodRegistry;
import org.detrkd.detr.adamixer.AdaMixerConfig;
import org.detrkd.detr.deformable.DeformableDetrConfig;
import org.detrkd.detr.distill.DetectorDescription;
import org.detrkd.detr.distill.DistillationContext;
import org.detrkd.detr.distill.DistillationMethod;
import org.detrkd.reports.model.Scale;
import org.detrkd.suites.spec.Cell;
import org.detrkd.suites.spec.SuiteCatalog;
import org.detrkd.suites.spec.SuiteExpander;
import org.testng.annotations.Test;

/** The baselines' suite options reach the methods, which accept them (Tab. 1 on AdaMixer, the CLoCKDistill suite). */
public class BaselineCellOptionsTest {

    @Test
    public void table1OptionsReachEveryAdaMixerBaseline() {
        DistillationContext context = new DistillationContext(DetectorDescription.of(AdaMixerConfig.miniTeacher(3)),
                DetectorDescription.of(AdaMixerConfig.miniStudent(3)));
        int methods = 0;
        try (NDManager m = NDManager.newBaseManager()) {
            for (Cell c : SuiteExpander.expand(SuiteCatalog.builtIn("table1"), Scale.SMOKE)) {
                if (c.method().equals("none") || !c.runId().endsWith(".e4.seed0")) {
                    continue;
                }
                Map<String, String> kd = CellTrainer.kdOptions(c.options());
                DistillationMethod method = MethodRegistry.create(c.method(), context, m, c.preset(), kd);
                assertEquals(method.name(), c.method());
                methods++;
            }
        }
        assertEquals(methods, 5); // FGD, FKD, MGD, FGFI, FitNet
    }

    @Test
    public void clockDistillSuiteOptionsBecomeTheMethodsSettings() {
        int cells = 0;
        try (NDManager m = NDManager.newBaseManager()) {
            for (Cell c : SuiteExpander.expand(SuiteCatalog.builtIn("clockdistill"), Scale.SMOKE)) {
                if (!c.method().equals("clockdistill")) {
                    continue;
                }
                DistillationContext context = new DistillationContext(
                        DetectorDescription.of(DeformableDetrConfig.miniTeacher(3)),
                        DetectorDescription.of(DeformableDetrConfig.miniStudent(3)));
                DistillationMethod method = MethodRegistry.create(c.method(), context, m, c.preset(),
                        CellTrainer.kdOptions(c.options()));
                assertEquals(method.weights(), Map.of("kd_clock_memory", 1.0, "kd_clock_query_cls", 2.0,
                        "kd_clock_query_box", 5.0), c.runId());
                assertEquals(method.settings().get("beta"), 1.0, c.runId());
                cells++;
            }
        }
        assertTrue(cells > 0, "the suite has CLoCKDistill cells");
    }
}
