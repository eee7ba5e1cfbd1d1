package org.detrkd.baselines.clockdistill;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.detrkd.detr.matching.ImageTargets;

/**
 * CLoCKDistill's target-aware queries (our form): one query per ground-truth box, a FIXED (parameter-free) sine
 * encoding of its normalised {@code (cx, cy, w, h)}, {@code d / 4} channels per coordinate laid out as Conditional
 * DETR's sine position embedding ({@code sin, cos} pairs of {@code 2 pi v / 10000^(2i / (d/4))}). Being
 * parameter-free, the same encoding can be handed to the frozen teacher (outside the gradient) and to the student,
 * each at its own width, so both decoders are asked about the same objects.
 *
 * @param queries {@code [B, G, d]} float32, G the largest box count of the batch (at least 1); padded rows are zero
 * @param valid {@code [B, G]} float32 1 for a real box, 0 for padding
 * @param count the number of real boxes in the batch
 */
public record TargetQueries(NDArray queries, NDArray valid, int count) {

    /**
     * @param targets B images' targets
     * @param d the query width (divisible by 8)
     * @param manager where the arrays go (libtorch-owned copies, safe in the graph)
     * @return the queries
     */
    public static TargetQueries of(List<ImageTargets> targets, int d, NDManager manager) {
        if (d % 8 != 0) {
            throw new IllegalArgumentException("query width " + d + " is not divisible by 8");
        }
        int b = targets.size();
        int g = 1;
        for (ImageTargets t : targets) {
            g = Math.max(g, t.size());
        }
        float[] q = new float[b * g * d];
        float[] valid = new float[b * g];
        int count = 0;
        for (int i = 0; i < b; i++) {
            ImageTargets t = targets.get(i);
            float[] c = t.size() == 0 ? new float[0] : t.boxes().toType(DataType.FLOAT32, false).toFloatArray();
            for (int j = 0; j < t.size(); j++) {
                encode(c, 4 * j, q, (i * g + j) * d, d);
                valid[i * g + j] = 1f;
                count++;
            }
        }
        NDArray qa = copy(manager, q, new Shape(b, g, d));
        NDArray va = copy(manager, valid, new Shape(b, g));
        return new TargetQueries(qa, va, count);
    }

    /** Writes the encoding of box {@code box[at..at+4)} into {@code out[offset..offset+d)}. */
    static void encode(float[] box, int at, float[] out, int offset, int d) {
        int per = d / 4;
        for (int k = 0; k < 4; k++) {
            double v = box[at + k] * 2 * Math.PI;
            for (int i = 0; i < per; i += 2) {
                double dimT = Math.pow(10000, (double) i / per);
                out[offset + k * per + i] = (float) Math.sin(v / dimT);
                out[offset + k * per + i + 1] = (float) Math.cos(v / dimT);
            }
        }
    }

    /** @return a libtorch-allocated copy (the Java buffer may be freed before backward: DJL trap) */
    private static NDArray copy(NDManager manager, float[] data, Shape shape) {
        try (NDArray tmp = manager.create(data, shape)) {
            return tmp.duplicate();
        }
    }
}
