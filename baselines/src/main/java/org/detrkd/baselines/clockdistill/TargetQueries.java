package org.detrkd.baselines.clockdistill;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.detrkd.detr.matching.ImageTargets;

/**
 * CLoCKDistill's target-aware queries (our form): one query per ground-truth box of the batch, a FIXED
 * (parameter-free) sine encoding of its normalised {@code (cx, cy, w, h)}, {@code d / 4} channels per coordinate laid
 * out as Conditional DETR's sine position embedding ({@code sin, cos} pairs of {@code 2 pi v / 10000^(2i / (d/4))}).
 * Being parameter-free, the same encoding can be handed to the frozen teacher (outside the gradient) and to the
 * student, each at its own width, so both decoders are asked about the same objects.
 *
 * <p>Layout: the detectors decode one extra query group {@code [G, d]} shared by the whole batch (the
 * {@code extraQueries} contract), so the boxes of all images are concatenated in image order ({@code G} = the batch's
 * box count, at least 1) and {@link #valid} says which image each query belongs to; every image also decodes the other
 * images' queries, which the loss ignores (the group is isolated from the detector's own queries, and its queries
 * attend to each other, as in DETRDistill's assignment group).
 *
 * @param queries {@code [G, d]} float32
 * @param valid {@code [B, G]} float32, 1 where query {@code j} is a box of image {@code b}
 * @param count the number of real boxes in the batch (0: one dummy query, valid nowhere)
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
        int count = 0;
        for (ImageTargets t : targets) {
            count += t.size();
        }
        int g = Math.max(1, count);
        float[] q = new float[g * d];
        float[] valid = new float[b * g];
        int j = 0;
        for (int i = 0; i < b; i++) {
            ImageTargets t = targets.get(i);
            float[] c = t.size() == 0 ? new float[0] : t.boxes().toType(DataType.FLOAT32, false).toFloatArray();
            for (int k = 0; k < t.size(); k++, j++) {
                encode(c, 4 * k, q, j * d, d);
                valid[i * g + j] = 1f;
            }
        }
        return new TargetQueries(copy(manager, q, new Shape(g, d)), copy(manager, valid, new Shape(b, g)), count);
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
