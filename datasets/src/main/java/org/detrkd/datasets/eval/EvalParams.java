package org.detrkd.datasets.eval;

import java.util.List;

/**
 * The parameters of COCO bbox evaluation, fixed to pycocotools' defaults ({@code Params(iouType='bbox')}), with the
 * exact doubles numpy produces (rule 9 of {@code reference/coco-eval/README.md}).
 *
 * <ul>
 *   <li>IoU thresholds {@code 0.5 + i * ((0.95 - 0.5) / 9)}, i = 0..9, the last set to exactly 0.95 (numpy's
 *       {@code linspace}; threshold 8 is 0.8999999999999999);</li>
 *   <li>recall thresholds {@code i * 0.01}, i = 0..100, the last set to exactly 1.0 (threshold 35 is
 *       0.35000000000000003);</li>
 *   <li>area ranges all {@code [0, 1e10]}, small {@code [0, 32^2]}, medium {@code [32^2, 96^2]}, large
 *       {@code [96^2, 1e10]}, inclusive at both ends;</li>
 *   <li>maximum detections per image and category 1, 10, 100 (matching uses the last).</li>
 * </ul>
 */
public final class EvalParams {
    /** Area range labels in pycocotools' order. */
    public static final List<String> AREA_LABELS = List.of("all", "small", "medium", "large");

    private static final EvalParams COCO = new EvalParams();

    private final double[] iouThrs;
    private final double[] recThrs;
    private final double[][] areaRanges;
    private final int[] maxDets;

    private EvalParams() {
        iouThrs = linspace(0.5, 0.95, 10);
        recThrs = linspace(0.0, 1.0, 101);
        areaRanges = new double[][] {{0, 1e10}, {0, 32 * 32}, {32 * 32, 96 * 96}, {96 * 96, 1e10}};
        maxDets = new int[] {1, 10, 100};
    }

    /** pycocotools' default bbox parameters. */
    public static EvalParams coco() {
        return COCO;
    }

    /** numpy's {@code linspace(start, stop, num)}: {@code i * step + start}, the last value set to {@code stop}. */
    static double[] linspace(double start, double stop, int num) {
        double step = (stop - start) / (num - 1);
        double[] v = new double[num];
        for (int i = 0; i < num; i++) {
            v[i] = i * step + start;
        }
        v[num - 1] = stop;
        return v;
    }

    /** Number of IoU thresholds (T). */
    public int numIou() {
        return iouThrs.length;
    }

    /** Number of recall thresholds (R). */
    public int numRecall() {
        return recThrs.length;
    }

    /** Number of area ranges (A). */
    public int numAreas() {
        return areaRanges.length;
    }

    /** Number of max-detection settings (M). */
    public int numMaxDets() {
        return maxDets.length;
    }

    public double iouThr(int t) {
        return iouThrs[t];
    }

    public double recThr(int r) {
        return recThrs[r];
    }

    /** Lower bound (inclusive) of area range {@code a}. */
    public double areaLo(int a) {
        return areaRanges[a][0];
    }

    /** Upper bound (inclusive) of area range {@code a}. */
    public double areaHi(int a) {
        return areaRanges[a][1];
    }

    public int maxDet(int m) {
        return maxDets[m];
    }

    /** The largest max-detection setting: how many detections per image and category are matched. */
    public int maxDetLast() {
        return maxDets[maxDets.length - 1];
    }

    /** Copies of the thresholds, for reports. */
    public double[] iouThresholds() {
        return iouThrs.clone();
    }

    public double[] recallThresholds() {
        return recThrs.clone();
    }
}
