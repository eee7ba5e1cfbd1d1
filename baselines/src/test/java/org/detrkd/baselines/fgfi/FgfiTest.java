package org.detrkd.baselines.fgfi;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;

import org.detrkd.baselines.fgd.GtBoxes;
import org.detrkd.baselines.fitnet.KdTestSupport;
import org.detrkd.baselines.fkd.NaiveFkd;
import org.testng.annotations.Test;

import java.util.List;

public class FgfiTest {

    /**
     * One 16 x 16 anchor per cell (octave base 2 x stride 8, ratio 1), cell centres, a 4 x 4 map. Box A
     * [0, 0, 16, 16]: the four top-left anchors overlap it by 12 x 12, IoU 144 / 368 = 0.391; the next ring has IoU
     * 48 / 464 = 0.103 < 0.5 x 0.391, so A marks the top-left 2 x 2 cells. Box B [22, 22, 26, 26] lies inside each of
     * the four bottom-right anchors, IoU 16 / 256 = 0.0625, and touches no other anchor: B marks the bottom-right
     * 2 x 2 cells although its IoU is below half of A's best (the threshold is per box). Image 2 has no boxes.
     */
    @Test
    public void handWorkedMask() {
        VirtualAnchors one = new VirtualAnchors(2, 1, new double[] {1}, 0.5);
        assertEquals(one.sizes(8)[0], new double[] {16, 16});
        float[] mask = ImitationMask.compute(List.of(new GtBoxes(new float[] {0, 0, 16, 16, 22, 22, 26, 26}, 32, 32),
                new GtBoxes(new float[0], 32, 32)), 4, 4, 8, one, 0.5);
        float[] expected = {
            1, 1, 0, 0,
            1, 1, 0, 0,
            0, 0, 1, 1,
            0, 0, 1, 1,
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        assertEquals(mask, expected);
        assertEquals(ImitationMask.iou(-4, -4, 12, 12, 0, 0, 16, 16), 144.0 / 368, 1e-15);
    }

    @Test
    public void retinaNetAnchorSides() {
        double[][] wh = VirtualAnchors.RETINANET.sizes(8);
        assertEquals(wh.length, 9);
        // ratio 1 (h/w) is the middle group: squares of 32, 32 * 2^(1/3), 32 * 2^(2/3)
        assertEquals(wh[3][0], 32.0, 1e-12);
        assertEquals(wh[4][0], 40.3174, 1e-4);
        assertEquals(wh[5][1], 50.7968, 1e-4);
        // ratio 0.5: wider than tall, same area
        assertEquals(wh[0][0] * wh[0][1], 32.0 * 32.0, 1e-9);
        assertEquals(wh[0][1] / wh[0][0], 0.5, 1e-12);
    }

    /** Brute force over the 9 default anchors written out independently. */
    private static float[] bruteForceMask(List<GtBoxes> targets, int h, int w, int stride) {
        float[] mask = new float[targets.size() * h * w];
        for (int i = 0; i < targets.size(); i++) {
            GtBoxes g = targets.get(i);
            for (int k = 0; k < g.count(); k++) {
                double[][][] iou = new double[h][w][9];
                double best = 0;
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        int a = 0;
                        for (double ratio : new double[] {0.5, 1, 2}) {
                            for (int s = 0; s < 3; s++) {
                                double side = 4 * stride * Math.pow(2, s / 3.0);
                                double aw = side / Math.sqrt(ratio);
                                double ah = side * Math.sqrt(ratio);
                                double cx = (x + 0.5) * stride;
                                double cy = (y + 0.5) * stride;
                                double ix = Math.max(0, Math.min(cx + aw / 2, g.coord(k, 2))
                                        - Math.max(cx - aw / 2, g.coord(k, 0)));
                                double iy = Math.max(0, Math.min(cy + ah / 2, g.coord(k, 3))
                                        - Math.max(cy - ah / 2, g.coord(k, 1)));
                                double gtArea = (g.coord(k, 2) - g.coord(k, 0)) * (g.coord(k, 3) - g.coord(k, 1));
                                iou[y][x][a] = ix * iy / (aw * ah + gtArea - ix * iy);
                                best = Math.max(best, iou[y][x][a++]);
                            }
                        }
                    }
                }
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        for (double v : iou[y][x]) {
                            if (v > 0.5 * best) {
                                mask[(i * h + y) * w + x] = 1;
                            }
                        }
                    }
                }
            }
        }
        return mask;
    }

    private static final List<GtBoxes> TARGETS = List.of(
            new GtBoxes(new float[] {10, 12, 70, 50, 100, 5, 126, 30, 40, 60, 90, 95}, 96, 128),
            new GtBoxes(new float[] {0, 0, 127, 95}, 96, 128));

    @Test
    public void defaultAnchorMaskMatchesBruteForce() {
        for (int[] level : new int[][] {{6, 8, 16}, {3, 4, 32}, {12, 16, 8}}) {
            float[] mask = ImitationMask.compute(TARGETS, level[0], level[1], level[2], VirtualAnchors.RETINANET, 0.5);
            assertEquals(mask, bruteForceMask(TARGETS, level[0], level[1], level[2]), "stride " + level[2]);
            int on = 0;
            for (float v : mask) {
                on += (int) v;
            }
            assertTrue(on > 0 && on < mask.length, "stride " + level[2] + ": " + on + " of " + mask.length);
        }
    }

    private static Fgfi build(NDManager m, int[] cs, int[] ct) {
        Fgfi f = Fgfi.builder().setStudentChannels(cs).setTeacherChannels(ct).setStrides(16, 32).build();
        f.initialize(m, DataType.FLOAT32);
        for (int l = 0; l < 2; l++) {
            var conv = f.adapter(l).conv();
            KdTestSupport.set(conv.getParameters().get("weight"),
                    KdTestSupport.wave((int) conv.getParameters().get("weight").getArray().size(), l, 0.3));
            KdTestSupport.set(conv.getParameters().get("bias"), KdTestSupport.wave(ct[l], l + 2, 0.2));
        }
        return f;
    }

    private static List<NDArray> feats(NDManager m, int[] c, double phase) {
        return List.of(KdTestSupport.waveArray(m, new Shape(2, c[0], 6, 8), phase, 1.0),
                KdTestSupport.waveArray(m, new Shape(2, c[1], 3, 4), phase + 1, 1.5));
    }

    @Test
    public void lossMatchesNaive() {
        int[] cs = {3, 2};
        int[] ct = {4, 4};
        try (NDManager m = NDManager.newBaseManager()) {
            Fgfi f = build(m, cs, ct);
            List<NDArray> s = feats(m, cs, 0.4);
            List<NDArray> t = feats(m, ct, 2.2);
            double expected = 0;
            for (int l = 0; l < 2; l++) {
                double[][][][] adapted = NaiveFkd.conv(NaiveFkd.tensor(s.get(l)), f.adapter(l));
                double[][][][] tv = NaiveFkd.tensor(t.get(l));
                int h = tv[0][0].length;
                int w = tv[0][0][0].length;
                float[] mask = bruteForceMask(TARGETS, h, w, l == 0 ? 16 : 32);
                double sum = 0;
                int n = 0;
                for (int b = 0; b < 2; b++) {
                    for (int y = 0; y < h; y++) {
                        for (int x = 0; x < w; x++) {
                            if (mask[(b * h + y) * w + x] == 0) {
                                continue;
                            }
                            n++;
                            for (int c = 0; c < ct[l]; c++) {
                                sum += Math.pow(Math.max(0, adapted[b][c][y][x]) - tv[b][c][y][x], 2);
                            }
                        }
                    }
                }
                expected += sum / (2.0 * n);
            }
            var terms = f.losses(new ParameterStore(m, false), s, t, TARGETS, true);
            KdTestSupport.assertClose(terms.get(Fgfi.LOSS).getFloat(), expected, 1e-5, 1e-6, "fgfi");
            assertEquals(f.settings().weightDict().get(Fgfi.LOSS), 0.01);
        }
    }

    @Test
    public void emptyMaskGivesZero() {
        try (NDManager m = NDManager.newBaseManager()) {
            Fgfi f = build(m, new int[] {4, 4}, new int[] {4, 4});
            List<GtBoxes> none = List.of(new GtBoxes(new float[0], 96, 128), new GtBoxes(new float[0], 96, 128));
            var terms = f.losses(new ParameterStore(m, false), feats(m, new int[] {4, 4}, 0),
                    feats(m, new int[] {4, 4}, 1), none, true);
            assertEquals(terms.get(Fgfi.LOSS).getFloat(), 0f);
        }
    }

    @Test
    public void warmUp() {
        Fgfi f = Fgfi.builder().setStudentChannels(2).setTeacherChannels(2).setStrides(8).build();
        assertFalse(f.isActive(0));
        assertFalse(f.isActive(399));
        assertTrue(f.isActive(400));
    }

    @Test
    public void gradientsReachAdaptersAndStudentOnly() {
        try (NDManager m = NDManager.newBaseManager()) {
            Fgfi f = build(m, new int[] {3, 2}, new int[] {4, 4});
            ParameterStore ps = new ParameterStore(m, false);
            KdTestSupport.assertGradientFlow(f, feats(m, new int[] {3, 2}, 0.1), feats(m, new int[] {4, 4}, 0.9),
                    a -> f.losses(ps, a[0], a[1], TARGETS, true), "adapter0", "adapter1");
        }
    }

    @Test
    public void modelManagerStaysFlat() {
        try (NDManager m = NDManager.newBaseManager()) {
            Fgfi f = build(m, new int[] {3, 2}, new int[] {4, 4});
            ParameterStore ps = new ParameterStore(m, false);
            int[] sizes = new int[3];
            for (int step = 0; step < 3; step++) {
                try (NDManager batch = m.newSubManager()) {
                    KdTestSupport.assertGradientFlow(f, feats(batch, new int[] {3, 2}, step),
                            feats(batch, new int[] {4, 4}, step + 0.5), a -> f.losses(ps, a[0], a[1], TARGETS, true));
                }
                sizes[step] = m.getManagedArrays().size();
            }
            assertEquals(sizes[2], sizes[1], "arrays left on the model manager");
        }
    }
}
