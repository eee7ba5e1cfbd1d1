package org.detrkd.datasets.coco;

import java.util.Arrays;

/**
 * A COCO results list (detections) held column by column: parallel primitive arrays for image id, category id,
 * box {@code (x, y, w, h)} in absolute pixels and score, in file order.
 *
 * <p>Columnar on purpose: a val2017-sized results file has about 490,000 detections, which as objects would cost
 * an order of magnitude more memory and time than the 7 arrays here (about 56 bytes per detection). Instances are
 * immutable; build them with {@link Builder} (the reader, the benchmark generator, a model's post-processing).
 * Index {@code i} is the detection's position in the file, so its pycocotools id is {@code i + 1}.
 */
public final class CocoDetections {
    private final long[] imageId;
    private final long[] categoryId;
    private final double[] x;
    private final double[] y;
    private final double[] w;
    private final double[] h;
    private final double[] score;

    private CocoDetections(Builder b) {
        int n = b.size;
        imageId = Arrays.copyOf(b.imageId, n);
        categoryId = Arrays.copyOf(b.categoryId, n);
        x = Arrays.copyOf(b.x, n);
        y = Arrays.copyOf(b.y, n);
        w = Arrays.copyOf(b.w, n);
        h = Arrays.copyOf(b.h, n);
        score = Arrays.copyOf(b.score, n);
    }

    /** Number of detections. */
    public int size() {
        return imageId.length;
    }

    public long imageId(int i) {
        return imageId[i];
    }

    public long categoryId(int i) {
        return categoryId[i];
    }

    /** Left edge in pixels. */
    public double x(int i) {
        return x[i];
    }

    /** Top edge in pixels. */
    public double y(int i) {
        return y[i];
    }

    /** Width in pixels. */
    public double w(int i) {
        return w[i];
    }

    /** Height in pixels. */
    public double h(int i) {
        return h[i];
    }

    public double score(int i) {
        return score[i];
    }

    /** A new builder with room for {@code capacity} detections (it grows as needed). */
    public static Builder builder(int capacity) {
        return new Builder(capacity);
    }

    /** Accumulates detections in order; {@link #build()} copies them into an immutable {@link CocoDetections}. */
    public static final class Builder {
        private long[] imageId;
        private long[] categoryId;
        private double[] x;
        private double[] y;
        private double[] w;
        private double[] h;
        private double[] score;
        private int size;

        private Builder(int capacity) {
            int c = Math.max(16, capacity);
            imageId = new long[c];
            categoryId = new long[c];
            x = new double[c];
            y = new double[c];
            w = new double[c];
            h = new double[c];
            score = new double[c];
        }

        /** Appends one detection; box in absolute pixels {@code (x, y, w, h)}. */
        public Builder add(long image, long category, double bx, double by, double bw, double bh, double s) {
            if (size == imageId.length) {
                grow();
            }
            imageId[size] = image;
            categoryId[size] = category;
            x[size] = bx;
            y[size] = by;
            w[size] = bw;
            h[size] = bh;
            score[size] = s;
            size++;
            return this;
        }

        /** Number of detections added so far. */
        public int size() {
            return size;
        }

        private void grow() {
            int c = imageId.length + (imageId.length >> 1) + 16;
            imageId = Arrays.copyOf(imageId, c);
            categoryId = Arrays.copyOf(categoryId, c);
            x = Arrays.copyOf(x, c);
            y = Arrays.copyOf(y, c);
            w = Arrays.copyOf(w, c);
            h = Arrays.copyOf(h, c);
            score = Arrays.copyOf(score, c);
        }

        public CocoDetections build() {
            return new CocoDetections(this);
        }
    }
}
