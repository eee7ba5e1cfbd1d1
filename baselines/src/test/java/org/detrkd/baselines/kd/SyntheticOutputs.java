package org.detrkd.baselines.kd;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import org.detrkd.baselines.fitnet.KdTestSupport;
import org.detrkd.detr.matching.ImageTargets;
import org.detrkd.detr.model.DetrOutputs;

/** Small fixed {@link DetrOutputs} (2 images, 3 backbone levels 8x8/4x4/2x2, memory 2x2) for the wrapper tests. */
public final class SyntheticOutputs {

    private SyntheticOutputs() {}

    /**
     * @param channels C3-C5 channels
     * @param d model width
     * @param padRight image 1 has its right half padded at every level
     * @param phase varies the values
     */
    public static DetrOutputs of(NDManager m, int[] channels, int d, boolean padRight, double phase) {
        int b = 2;
        int[] sizes = {8, 4, 2};
        List<NDArray> features = new ArrayList<>();
        List<NDArray> masks = new ArrayList<>();
        for (int l = 0; l < 3; l++) {
            int s = sizes[l];
            features.add(KdTestSupport.waveArray(m, new Shape(b, channels[l], s, s), phase + l, 1.0));
            masks.add(mask(m, b, s, padRight));
        }
        int k = 3;
        int q = 4;
        NDArray memory = KdTestSupport.waveArray(m, new Shape(b, 4, d), phase + 7, 1.0);
        NDArray memoryMask = mask(m, b, 2, padRight).reshape(b, 4);
        return new DetrOutputs(m.zeros(new Shape(1, b, q, k)), m.zeros(new Shape(1, b, q, 4)),
                m.zeros(new Shape(1, b, q, d)), m.zeros(new Shape(q, d)), m.zeros(new Shape(b, q, 2)), memory,
                memoryMask, 2, 2, KdTestSupport.waveArray(m, new Shape(b, 4, d), phase + 9, 1.0), features, masks,
                null);
    }

    private static NDArray mask(NDManager m, int b, int s, boolean padRight) {
        boolean[] v = new boolean[b * s * s];
        if (padRight) {
            for (int y = 0; y < s; y++) {
                for (int x = s / 2; x < s; x++) {
                    v[s * s + y * s + x] = true;
                }
            }
        }
        return m.create(v, new Shape(b, s, s));
    }

    /** Two images' targets: image 0 two boxes, image 1 one box (normalised cxcywh of the unpadded image). */
    public static List<ImageTargets> targets(NDManager m) {
        long[] classes = {0, 2, 1, -1};
        float[] boxes = {0.3f, 0.4f, 0.2f, 0.3f, 0.7f, 0.6f, 0.3f, 0.5f, 0.5f, 0.5f, 0.6f, 0.4f, 0, 0, 0, 0};
        return ImageTargets.fromBatch(new NDList(m.create(classes, new Shape(2, 2)),
                m.create(boxes, new Shape(2, 2, 4)), m.create(new long[] {2, 1})));
    }

    /** @return a float copy */
    static float[] floats(NDArray a) {
        return a.toType(DataType.FLOAT32, false).toFloatArray();
    }
}
