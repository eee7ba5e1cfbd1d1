package org.detrkd.baselines.fkd;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.expectThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;

import org.detrkd.baselines.fitnet.KdTestSupport;
import org.testng.annotations.Test;

import java.util.List;
import java.util.Map;

/**
 * FKD against {@link NaiveFkd} (scalar double loops) on small fixed tensors, for both presets, with every parameter
 * (BatchNorm weights included) set to fixed non-zero values; then gradients, detaching and memory.
 */
public class FkdTest {

    private static final int B = 2;
    private static final int[][] HW = {{4, 4}, {2, 2}};
    private static final String[] TERMS = {Fkd.LOSS_FEAT, Fkd.LOSS_CHANNEL, Fkd.LOSS_SPATIAL, Fkd.LOSS_NONLOCAL};

    /** Official preset with a non-local block whose inner product is not trivial on 4x4 and 2x2 maps. */
    private static final FkdSettings OFFICIAL_SMALL = new FkdSettings("official-small", 0.1, 0.1, 1.0, true, 7e-5 * 6,
            4e-3 * 6, 4e-3 * 6, 7e-5 * 6, List.of(new NonLocalSpec(2, new int[] {2})));

    private static Fkd build(NDManager m, FkdSettings settings, int[] cs, int[] ct) {
        Fkd fkd = Fkd.builder().setStudentChannels(cs).setTeacherChannels(ct).optSettings(settings).build();
        fkd.initialize(m, DataType.FLOAT32);
        int k = 0;
        for (Pair<String, Parameter> p : fkd.getParameters()) {
            if (!p.getKey().contains("running")) {
                int size = (int) p.getValue().getArray().size();
                KdTestSupport.set(p.getValue(), KdTestSupport.wave(size, 0.7 * k++, 0.5));
            }
        }
        return fkd;
    }

    private static List<NDArray> feats(NDManager m, int[] channels, double phase) {
        return List.of(KdTestSupport.waveArray(m, new Shape(B, channels[0], HW[0][0], HW[0][1]), phase, 1.0),
                KdTestSupport.waveArray(m, new Shape(B, channels[1], HW[1][0], HW[1][1]), phase + 1, 1.5));
    }

    private static void assertMatchesNaive(FkdSettings settings, int[] cs, int[] ct) {
        try (NDManager m = NDManager.newBaseManager()) {
            Fkd fkd = build(m, settings, cs, ct);
            List<NDArray> s = feats(m, cs, 0.3);
            List<NDArray> t = feats(m, ct, 1.9);
            Map<String, NDArray> terms = fkd.losses(new ParameterStore(m, false), s, t, true);
            assertEquals(List.copyOf(terms.keySet()), List.of(TERMS));
            double[] expected = new double[4];
            for (int l = 0; l < 2; l++) {
                double[] level = NaiveFkd.level(fkd.level(l), settings, settings.nonLocal(l),
                        NaiveFkd.tensor(s.get(l)), NaiveFkd.tensor(t.get(l)));
                for (int k = 0; k < 4; k++) {
                    expected[k] += level[k];
                }
            }
            for (int k = 0; k < 4; k++) {
                KdTestSupport.assertClose(terms.get(TERMS[k]).getFloat(), expected[k], 2e-5, 1e-6,
                        settings.preset() + " " + TERMS[k]);
            }
        }
    }

    @Test
    public void officialMatchesNaive() {
        assertMatchesNaive(OFFICIAL_SMALL, new int[] {4, 4}, new int[] {4, 4});
    }

    @Test
    public void mmrazorMatchesNaiveWithDifferentChannels() {
        assertMatchesNaive(FkdSettings.MMRAZOR, new int[] {3, 2}, new int[] {4, 4});
    }

    @Test
    public void presetsHoldTheDocumentedSettings() {
        FkdSettings o = FkdSettings.preset("official");
        assertEquals(List.copyOf(o.weightDict().values()), List.of(7e-5 * 6, 4e-3 * 6, 4e-3 * 6, 7e-5 * 6));
        assertEquals(o.spatialTemperature(), 0.1);
        assertEquals(o.useChannelMask(), true);
        assertEquals(o.nonLocal(0), new NonLocalSpec(4, new int[] {8}));
        assertEquals(o.nonLocal(4), new NonLocalSpec(2, new int[] {2}));
        FkdSettings r = FkdSettings.preset("mmrazor");
        assertEquals(List.copyOf(r.weightDict().values()), List.of(7e-5, 4e-3, 4e-3, 7e-5));
        assertEquals(r.channelTemperature(), 0.5);
        assertEquals(r.useChannelMask(), false);
        assertEquals(r.nonLocal(1), new NonLocalSpec(4, new int[] {2, 4}));
        var ex = expectThrows(IllegalArgumentException.class, () -> FkdSettings.preset("paper"));
        assertEquals(ex.getMessage(), "unknown FKD preset 'paper', known: official, mmrazor");
        var ch = expectThrows(IllegalArgumentException.class,
                () -> Fkd.builder().setStudentChannels(3).setTeacherChannels(4).build());
        assertEquals(ch.getMessage(), "level 0: the channel mask of preset official mixes student and teacher channel "
                + "attentions and needs equal channel counts, got 3 and 4");
    }

    @Test
    public void gradientsReachAdaptersAndStudentOnly() {
        try (NDManager m = NDManager.newBaseManager()) {
            Fkd fkd = build(m, FkdSettings.MMRAZOR, new int[] {3, 4}, new int[] {4, 4});
            ParameterStore ps = new ParameterStore(m, false);
            KdTestSupport.assertGradientFlow(fkd, feats(m, new int[] {3, 4}, 0.2), feats(m, new int[] {4, 4}, 1.3),
                    a -> fkd.losses(ps, a[0], a[1], true), "adaptation", "channel_wise", "spatial_wise",
                    "student_non_local", "teacher_non_local", "non_local_adaptation");
        }
    }

    @Test
    public void modelManagerStaysFlat() {
        try (NDManager m = NDManager.newBaseManager()) {
            Fkd fkd = build(m, OFFICIAL_SMALL, new int[] {4, 4}, new int[] {4, 4});
            ParameterStore ps = new ParameterStore(m, false);
            int[] sizes = new int[3];
            for (int step = 0; step < 3; step++) {
                try (NDManager batch = m.newSubManager()) {
                    KdTestSupport.assertGradientFlow(fkd, feats(batch, new int[] {4, 4}, step),
                            feats(batch, new int[] {4, 4}, step + 0.5), a -> fkd.losses(ps, a[0], a[1], true));
                }
                sizes[step] = m.getManagedArrays().size();
            }
            assertEquals(sizes[2], sizes[1], "arrays left on the model manager");
        }
    }
}
