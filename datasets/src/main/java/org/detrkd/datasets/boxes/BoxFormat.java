package org.detrkd.datasets.boxes;

/**
 * Host-side box format conversions, the single place where detrkd converts between the three box conventions it
 * meets at the dataset boundary:
 *
 * <ul>
 *   <li><b>COCO xywh</b>: absolute pixels, {@code (x, y, w, h)} with {@code (x, y)} the top-left corner (the
 *       {@code bbox} field of COCO annotations and detections);
 *   <li><b>xyxy</b>: absolute pixels, {@code (x0, y0, x1, y1)} corners (what the augmentations transform);
 *   <li><b>normalised cxcywh</b>: {@code (cx, cy, w, h)} divided by the image width and height, DETR's target and
 *       prediction format.
 * </ul>
 *
 * <p>All methods take and return flat arrays of {@code n * 4} doubles ({@code [n, 4]} row-major) and never modify
 * their input. The normalised forms are relative to the image the boxes live in (for DETR, the un-padded
 * transformed image; for a resize-only evaluation pipeline that is equivalent to the original image).
 */
public final class BoxFormat {
    private BoxFormat() {}

    /** COCO {@code (x, y, w, h)} to {@code (x0, y0, x1, y1)}, both absolute. {@code [n, 4] -> [n, 4]} */
    public static double[] xywhToXyxy(double[] xywh) {
        check(xywh);
        double[] out = new double[xywh.length];
        for (int i = 0; i < xywh.length; i += 4) {
            out[i] = xywh[i];
            out[i + 1] = xywh[i + 1];
            out[i + 2] = xywh[i] + xywh[i + 2];
            out[i + 3] = xywh[i + 1] + xywh[i + 3];
        }
        return out;
    }

    /** {@code (x0, y0, x1, y1)} to COCO {@code (x, y, w, h)}, both absolute. {@code [n, 4] -> [n, 4]} */
    public static double[] xyxyToXywh(double[] xyxy) {
        check(xyxy);
        double[] out = new double[xyxy.length];
        for (int i = 0; i < xyxy.length; i += 4) {
            out[i] = xyxy[i];
            out[i + 1] = xyxy[i + 1];
            out[i + 2] = xyxy[i + 2] - xyxy[i];
            out[i + 3] = xyxy[i + 3] - xyxy[i + 1];
        }
        return out;
    }

    /**
     * Absolute {@code (x0, y0, x1, y1)} to normalised {@code (cx, cy, w, h)} for an image of the given size.
     * {@code [n, 4] -> [n, 4]}
     */
    public static double[] xyxyToCxcywhNorm(double[] xyxy, double width, double height) {
        check(xyxy);
        checkSize(width, height);
        double[] out = new double[xyxy.length];
        for (int i = 0; i < xyxy.length; i += 4) {
            out[i] = (xyxy[i] + xyxy[i + 2]) / 2 / width;
            out[i + 1] = (xyxy[i + 1] + xyxy[i + 3]) / 2 / height;
            out[i + 2] = (xyxy[i + 2] - xyxy[i]) / width;
            out[i + 3] = (xyxy[i + 3] - xyxy[i + 1]) / height;
        }
        return out;
    }

    /**
     * Normalised {@code (cx, cy, w, h)} to absolute {@code (x0, y0, x1, y1)} for an image of the given size.
     * {@code [n, 4] -> [n, 4]}
     */
    public static double[] cxcywhNormToXyxy(double[] cxcywh, double width, double height) {
        check(cxcywh);
        checkSize(width, height);
        double[] out = new double[cxcywh.length];
        for (int i = 0; i < cxcywh.length; i += 4) {
            double cx = cxcywh[i] * width;
            double cy = cxcywh[i + 1] * height;
            double hw = cxcywh[i + 2] * width / 2;
            double hh = cxcywh[i + 3] * height / 2;
            out[i] = cx - hw;
            out[i + 1] = cy - hh;
            out[i + 2] = cx + hw;
            out[i + 3] = cy + hh;
        }
        return out;
    }

    /** COCO {@code (x, y, w, h)} to normalised {@code (cx, cy, w, h)}. {@code [n, 4] -> [n, 4]} */
    public static double[] xywhToCxcywhNorm(double[] xywh, double width, double height) {
        return xyxyToCxcywhNorm(xywhToXyxy(xywh), width, height);
    }

    /**
     * Normalised {@code (cx, cy, w, h)} to COCO {@code (x, y, w, h)} in pixels of an image of the given size: how
     * post-processing turns DETR predictions into COCO detections. {@code [n, 4] -> [n, 4]}
     */
    public static double[] cxcywhNormToXywh(double[] cxcywh, double width, double height) {
        return xyxyToXywh(cxcywhNormToXyxy(cxcywh, width, height));
    }

    /**
     * Clips absolute {@code (x0, y0, x1, y1)} boxes to the image {@code [0, width] x [0, height]}. A box fully
     * outside becomes degenerate (zero width or height); see {@link #isNonEmpty}. {@code [n, 4] -> [n, 4]}
     */
    public static double[] clipXyxy(double[] xyxy, double width, double height) {
        check(xyxy);
        double[] out = new double[xyxy.length];
        for (int i = 0; i < xyxy.length; i += 4) {
            out[i] = clamp(xyxy[i], width);
            out[i + 1] = clamp(xyxy[i + 1], height);
            out[i + 2] = clamp(xyxy[i + 2], width);
            out[i + 3] = clamp(xyxy[i + 3], height);
        }
        return out;
    }

    /** Whether box {@code i} of an {@code [n, 4]} xyxy array has positive width and height. */
    public static boolean isNonEmpty(double[] xyxy, int i) {
        return xyxy[4 * i + 2] > xyxy[4 * i] && xyxy[4 * i + 3] > xyxy[4 * i + 1];
    }

    /** The number of boxes in a flat {@code [n, 4]} array. */
    public static int count(double[] boxes) {
        check(boxes);
        return boxes.length / 4;
    }

    /** Narrows a box array to float32 for an NDArray. */
    public static float[] toFloat(double[] boxes) {
        float[] out = new float[boxes.length];
        for (int i = 0; i < boxes.length; i++) {
            out[i] = (float) boxes[i];
        }
        return out;
    }

    private static double clamp(double v, double hi) {
        return Math.min(Math.max(v, 0.0), hi);
    }

    private static void check(double[] boxes) {
        if (boxes.length % 4 != 0) {
            throw new IllegalArgumentException("box array length must be a multiple of 4, got " + boxes.length);
        }
    }

    private static void checkSize(double width, double height) {
        if (!(width > 0) || !(height > 0)) {
            throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
        }
    }
}
