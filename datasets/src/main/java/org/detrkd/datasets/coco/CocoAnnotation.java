package org.detrkd.datasets.coco;

/**
 * One ground-truth object of a COCO {@code annotations} list.
 *
 * <p>The box is in COCO's absolute-pixel {@code (x, y, w, h)} format, top-left corner first. {@code area} is the
 * annotation's own area field (for COCO, the segmentation area), which the evaluator uses for area ranges; it
 * may differ from {@code w * h}.
 *
 * @param id annotation id, unique within a dataset
 * @param imageId the image it belongs to
 * @param categoryId its class
 * @param x left edge in pixels
 * @param y top edge in pixels
 * @param w width in pixels
 * @param h height in pixels
 * @param area the area field
 * @param iscrowd whether the annotation is a crowd region (ignored by the evaluator's matching rules)
 */
public record CocoAnnotation(long id, long imageId, long categoryId, double x, double y, double w, double h,
                             double area, boolean iscrowd) {}
