package org.detrkd.baselines.fgd;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertNotNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;

import org.detrkd.baselines.fitnet.KdTestSupport;
import org.testng.annotations.Test;

import java.util.List;

/** FGD with two levels and an align convolution: gradient flow, detached teacher, no arrays left on the model. */
public class FgdTest {

    private static final List<GtBoxes> TARGETS = List.of(new GtBoxes(new float[] {4, 4, 20, 12}, 32, 32),
            new GtBoxes(new float[] {0, 0, 8, 8, 16, 10, 31, 30}, 32, 32));

    private static Fgd build(NDManager m) {
        Fgd fgd = Fgd.builder().setStudentChannels(3, 4).setTeacherChannels(4, 4).build();
        fgd.initialize(m, DataType.FLOAT32);
        for (int l = 0; l < 2; l++) {
            for (boolean teacher : new boolean[] {false, true}) {
                GcBlock gc = fgd.gcBlock(l, teacher); // non-zero last conv so every GcBlock part gets a gradient
                KdTestSupport.set(gc.conv("conv2").getParameters().get("weight"), KdTestSupport.wave(8, l, 0.3));
            }
        }
        return fgd;
    }

    private static List<NDArray> feats(NDManager m, int c0, double phase) {
        return List.of(KdTestSupport.waveArray(m, new Shape(2, c0, 4, 4), phase, 1.0),
                KdTestSupport.waveArray(m, new Shape(2, 4, 2, 2), phase + 2, 1.5));
    }

    @Test
    public void gradientsReachAlignGcBlocksAndStudentOnly() {
        try (NDManager m = NDManager.newBaseManager()) {
            Fgd fgd = build(m);
            assertNotNull(fgd.align(0));
            assertEquals(fgd.align(1), null);
            ParameterStore ps = new ParameterStore(m, false);
            KdTestSupport.assertGradientFlow(fgd, feats(m, 3, 0.2), feats(m, 4, 1.1),
                    a -> fgd.losses(ps, a[0], a[1], TARGETS, true), "align0", "gc_student0", "gc_teacher0",
                    "gc_student1", "gc_teacher1");
        }
    }

    @Test
    public void modelManagerStaysFlat() {
        try (NDManager m = NDManager.newBaseManager()) {
            Fgd fgd = build(m);
            ParameterStore ps = new ParameterStore(m, false);
            int[] sizes = new int[3];
            for (int step = 0; step < 3; step++) {
                try (NDManager batch = m.newSubManager()) {
                    KdTestSupport.assertGradientFlow(fgd, feats(batch, 3, step), feats(batch, 4, step + 0.5),
                            a -> fgd.losses(ps, a[0], a[1], TARGETS, true));
                }
                sizes[step] = m.getManagedArrays().size();
            }
            assertEquals(sizes[2], sizes[1], "arrays left on the model manager");
        }
    }

    @Test
    public void weightsAreTheOfficialOnes() {
        var w = FgdSettings.DEFAULT.weightDict();
        assertEquals(List.copyOf(w.keySet()), List.of(Fgd.LOSS_FG, Fgd.LOSS_BG, Fgd.LOSS_MASK, Fgd.LOSS_RELA));
        assertEquals(List.copyOf(w.values()), List.of(1e-3, 5e-4, 5e-4, 5e-6));
        assertEquals(FgdSettings.DEFAULT.temperature(), 0.5);
    }
}
