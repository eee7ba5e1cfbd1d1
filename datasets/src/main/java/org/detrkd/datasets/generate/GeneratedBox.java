package org.detrkd.datasets.generate;

/**
 * One ground-truth box of a generated image, in COCO's absolute-pixel {@code (x, y, w, h)} format, clipped to the
 * image and rounded to 1/100 pixel. Its COCO area is the box area {@code w * h}.
 *
 * @param categoryId the class, 1-based
 * @param x left edge
 * @param y top edge
 * @param w width, positive
 * @param h height, positive
 */
public record GeneratedBox(int categoryId, double x, double y, double w, double h) {
    /** The COCO {@code area} of this box: {@code w * h}, rounded to 1/100. */
    public double area() {
        return round(w * h);
    }

    /** The box {@code [x0, x1] x [y0, y1]} clipped to a {@code width x height} image, or null if nothing is left. */
    static GeneratedBox clipped(int categoryId, double x0, double y0, double x1, double y1, int width, int height) {
        double cx0 = round(Math.max(0, x0));
        double cy0 = round(Math.max(0, y0));
        double cx1 = round(Math.min(width, x1));
        double cy1 = round(Math.min(height, y1));
        if (cx1 - cx0 < 1 || cy1 - cy0 < 1) {
            return null;
        }
        return new GeneratedBox(categoryId, cx0, cy0, round(cx1 - cx0), round(cy1 - cy0));
    }

    static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
