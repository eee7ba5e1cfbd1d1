package org.detrkd.baselines.fgfi;

import java.util.Arrays;

/**
 * A RetinaNet-style anchor set placed on a DETR feature map, which has no anchors of its own, so that FGFI's
 * imitation region can be defined (the method-notes' "virtual" anchors). Per location there are
 * {@code scales x ratios} anchors; with the defaults (mmdetection's RetinaNet: octave base scale 4, 3 scales per
 * octave, ratios 0.5, 1, 2 as h/w) that is 9 anchors of sides {@code w = stride * 4 * 2^(k/3) / sqrt(ratio)},
 * {@code h = stride * 4 * 2^(k/3) * sqrt(ratio)}, k = 0, 1, 2. The square anchors per stride are therefore:
 *
 * <pre>
 *   stride  8:  32.0,  40.3,  50.8 px      stride 32: 128.0, 161.3, 203.2 px
 *   stride 16:  64.0,  80.6, 101.6 px      stride 64: 256.0, 322.5, 406.4 px
 * </pre>
 * Centres are at {@code ((x + centerOffset) * stride, (y + centerOffset) * stride)} for cell (row y, column x); the
 * default 0.5 puts them at cell centres, as FGFI's Faster R-CNN anchors ({@code [0, 0, 15, 15]} shifted by the stride)
 * approximately are; mmdetection's RetinaNet uses 0.
 *
 * @param octaveBaseScale base side in strides (4)
 * @param scalesPerOctave scales per octave (3)
 * @param ratios aspect ratios h/w ({0.5, 1, 2})
 * @param centerOffset centre offset in cells (0.5)
 */
public record VirtualAnchors(double octaveBaseScale, int scalesPerOctave, double[] ratios, double centerOffset) {

    /** RetinaNet's 9 anchors per location at cell centres. */
    public static final VirtualAnchors RETINANET = new VirtualAnchors(4, 3, new double[] {0.5, 1, 2}, 0.5);

    /** Checks and copies. */
    public VirtualAnchors {
        if (!(octaveBaseScale > 0) || scalesPerOctave < 1 || ratios.length == 0) {
            throw new IllegalArgumentException("bad anchor settings");
        }
        for (double r : ratios) {
            if (!(r > 0)) {
                throw new IllegalArgumentException("ratios must be > 0, got " + Arrays.toString(ratios));
            }
        }
        ratios = ratios.clone();
    }

    @Override
    public double[] ratios() {
        return ratios.clone();
    }

    /** @return anchors per location */
    public int perLocation() {
        return scalesPerOctave * ratios.length;
    }

    /** @return {@code [perLocation][2]} anchor (width, height) in pixels for {@code stride} */
    public double[][] sizes(int stride) {
        double[][] wh = new double[perLocation()][];
        int i = 0;
        for (double r : ratios) {
            for (int k = 0; k < scalesPerOctave; k++) {
                double side = stride * octaveBaseScale * Math.pow(2, k / (double) scalesPerOctave);
                wh[i++] = new double[] {side / Math.sqrt(r), side * Math.sqrt(r)};
            }
        }
        return wh;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VirtualAnchors a && a.octaveBaseScale == octaveBaseScale
                && a.scalesPerOctave == scalesPerOctave && Arrays.equals(a.ratios, ratios)
                && a.centerOffset == centerOffset;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(ratios) + 31 * Double.hashCode(octaveBaseScale) + scalesPerOctave;
    }

    @Override
    public String toString() {
        return "VirtualAnchors[octaveBaseScale=" + octaveBaseScale + ", scalesPerOctave=" + scalesPerOctave
                + ", ratios=" + Arrays.toString(ratios) + ", centerOffset=" + centerOffset + "]";
    }
}
