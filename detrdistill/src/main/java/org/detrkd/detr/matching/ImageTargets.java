package org.detrkd.detr.matching;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The ground truth of one image, as DETR's matcher and criterion consume it (the {@code targets[i]} dict of the
 * reference code, keys {@code labels} and {@code boxes}).
 *
 * @param labels [n] int64 contiguous class indices in [0, K)
 * @param boxes [n, 4] float32 normalised cx, cy, w, h
 */
public record ImageTargets(NDArray labels, NDArray boxes) implements AutoCloseable {

    /** Checks that the shapes agree: [n] labels and [n, 4] boxes. */
    public ImageTargets {
        Shape ls = labels.getShape();
        Shape bs = boxes.getShape();
        if (ls.dimension() != 1 || bs.dimension() != 2 || bs.get(1) != 4 || bs.get(0) != ls.get(0)) {
            throw new IllegalArgumentException("targets need labels [n] and boxes [n, 4], got " + ls + " and " + bs);
        }
        if (labels.getDataType() != DataType.INT64) {
            throw new IllegalArgumentException("target labels must be int64, got " + labels.getDataType());
        }
    }

    /** @return n, the number of target boxes */
    public int size() {
        return Math.toIntExact(labels.getShape().get(0));
    }

    /**
     * Splits the padded batch produced by the dataset into one {@code ImageTargets} per image. The per-image arrays
     * are slices that belong to the batch's manager (they are closed with the batch, or by {@link #close()}).
     *
     * @param batchLabels {classes [B, Nmax] int64 padded with -1, boxes [B, Nmax, 4] padded with 0, counts [B] int64}
     * @return B targets; image b keeps its first {@code counts[b]} rows
     * @throws IllegalArgumentException if the list does not have that layout or a count is outside [0, Nmax]
     */
    public static List<ImageTargets> fromBatch(NDList batchLabels) {
        if (batchLabels.size() != 3) {
            throw new IllegalArgumentException("batch labels need {classes, boxes, counts}, got "
                    + batchLabels.size() + " arrays");
        }
        NDArray classes = batchLabels.get(0);
        NDArray boxes = batchLabels.get(1);
        NDArray counts = batchLabels.get(2);
        Shape cs = classes.getShape();
        if (cs.dimension() != 2 || !boxes.getShape().equals(new Shape(cs.get(0), cs.get(1), 4))
                || !counts.getShape().equals(new Shape(cs.get(0)))) {
            throw new IllegalArgumentException("batch labels need classes [B, Nmax], boxes [B, Nmax, 4] and counts "
                    + "[B], got " + cs + ", " + boxes.getShape() + ", " + counts.getShape());
        }
        long[] n = counts.toType(DataType.INT64, false).toLongArray();
        List<ImageTargets> out = new ArrayList<>(n.length);
        for (int b = 0; b < n.length; b++) {
            if (n[b] < 0 || n[b] > cs.get(1)) {
                throw new IllegalArgumentException("image " + b + " of the batch has count " + n[b]
                        + ", outside [0, " + cs.get(1) + "]");
            }
            out.add(slice(classes, boxes, b, n[b]));
        }
        return Collections.unmodifiableList(out);
    }

    /**
     * The number of target boxes of a whole padded batch (the sum of its counts), read with one host copy; DETR's
     * {@code num_boxes} before clamping.
     *
     * @param batchLabels {classes [B, Nmax], boxes [B, Nmax, 4], counts [B]}
     * @return the sum of the counts
     */
    public static long countBoxes(NDList batchLabels) {
        if (batchLabels.size() != 3 || batchLabels.get(2).getShape().dimension() != 1) {
            throw new IllegalArgumentException("batch labels need {classes, boxes, counts [B]}");
        }
        long total = 0;
        for (long n : batchLabels.get(2).toType(DataType.INT64, false).toLongArray()) {
            total += n;
        }
        return total;
    }

    private static ImageTargets slice(NDArray classes, NDArray boxes, int b, long n) {
        NDArray l;
        NDArray x;
        try (NDScope scope = new NDScope()) {
            l = classes.get(new NDIndex().addIndices(b).addSliceDim(0, n)).toType(DataType.INT64, false);
            x = boxes.get(new NDIndex().addIndices(b).addSliceDim(0, n)).toType(DataType.FLOAT32, false);
            NDScope.unregister(l, x);
        }
        NDScope.register(l);
        NDScope.register(x);
        return new ImageTargets(l, x);
    }

    /** Closes both arrays. */
    @Override
    public void close() {
        labels.close();
        boxes.close();
    }
}
