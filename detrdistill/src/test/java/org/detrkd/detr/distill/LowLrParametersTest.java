package org.detrkd.detr.distill;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;

import ai.djl.ndarray.NDManager;
import java.util.function.Predicate;
import org.detrkd.detr.model.Detector;
import org.testng.annotations.Test;

/**
 * {@link DistillRun#lowLr}: which parameter names train at the backbone's reduced rate when the engine sees the
 * detector alone and inside a {@link StudentBundle} (the suite runner and {@code distill} both use it): the backbone,
 * and Deformable DETR's sampling offsets and reference points, as {@code detrkd train} does.
 */
public class LowLrParametersTest {

    @Test
    public void deformableSamplingOffsetsTrainAtTheReducedRateInsideAndOutsideABundle() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Detector d = TinyDetectors.create("deformable-detr", false, 3, manager);
            Predicate<String> low = DistillRun.lowLr(d);
            long own = d.lowLrParameterNames().stream().filter(n -> !n.contains("backbone")).count();
            assertTrue(own > 0, "Deformable DETR has non-backbone low-rate parameters (offsets, reference points)");
            for (String name : d.lowLrParameterNames()) {
                assertTrue(low.test(name), name);
                assertTrue(low.test(StudentBundle.DETECTOR_PREFIX + name), name);
            }
            long others = d.getParameters().keys().stream().filter(low.negate()).count();
            assertEquals(others + d.lowLrParameterNames().size(), d.getParameters().size());
            assertFalse(low.test("adapter_fd_0_weight"));
        }
    }
}
