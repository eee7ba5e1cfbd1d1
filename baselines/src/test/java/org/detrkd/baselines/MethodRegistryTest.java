package org.detrkd.baselines;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

import ai.djl.ndarray.NDManager;
import java.util.List;
import java.util.Map;
import org.detrkd.detr.conditional.ConditionalDetrConfig;
import org.detrkd.detr.detrdistill.DetrDistill;
import org.detrkd.detr.distill.DistillationContext;
import org.detrkd.detr.distill.DistillationMethod;
import org.testng.annotations.Test;

/** The registry's names, its error for an unknown name, and option passing. */
public class MethodRegistryTest {

    private static final DistillationContext CONTEXT = new DistillationContext(
            ConditionalDetrConfig.miniTeacher(3), ConditionalDetrConfig.miniStudent(3));

    @Test
    public void knowsNoneAndDetrDistill() {
        assertEquals(MethodRegistry.names(), List.of("none", "detrdistill", "fitnet", "fgd", "mgd", "fkd", "fgfi",
                "clockdistill"));
        try (NDManager m = NDManager.newBaseManager()) {
            DistillationMethod none = MethodRegistry.create("none", CONTEXT, m, null, Map.of());
            assertEquals(none.name(), "none");
            assertTrue(none.weights().isEmpty());
            DistillationMethod d = MethodRegistry.create("detrdistill", CONTEXT, m, "released-code",
                    Map.of("fd", "false", "lambda-logits", "2"));
            assertEquals(d.settings().get("preset"), "released-code");
            assertEquals(d.settings().get("fd"), false);
            assertEquals(d.weights().get("kd_logits_pos_l1"), 10.0);
            assertTrue(!d.weights().containsKey("kd_feat"));
            assertTrue(((DetrDistill) d).adapters().isEmpty(), "equal widths: no adapters");
        }
    }

    @Test
    public void unknownNamesAndOptionsListTheKnownOnes() {
        IllegalArgumentException e = expectThrows(IllegalArgumentException.class,
                () -> MethodRegistry.factory("fitnett"));
        assertEquals(e.getMessage(), "unknown distillation method 'fitnett'; known: none, detrdistill, fitnet, fgd, "
                + "mgd, fkd, fgfi, clockdistill");
        try (NDManager m = NDManager.newBaseManager()) {
            IllegalArgumentException o = expectThrows(IllegalArgumentException.class,
                    () -> MethodRegistry.create("detrdistill", CONTEXT, m, null, Map.of("lambda", "3")));
            assertTrue(o.getMessage().startsWith("unknown DETRDistill option 'lambda'; known: ld, fd, ad, ld-split"),
                    o.getMessage());
            IllegalArgumentException p = expectThrows(IllegalArgumentException.class,
                    () -> MethodRegistry.create("detrdistill", CONTEXT, m, "code", Map.of()));
            assertEquals(p.getMessage(), "unknown DETRDistill preset 'code'; known: paper, released-code");
        }
    }
}
