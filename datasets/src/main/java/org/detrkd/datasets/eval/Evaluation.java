package org.detrkd.datasets.eval;

/**
 * The outcome of {@link CocoEvaluator#evaluate}: pycocotools' {@code evalImgs} in columnar form. For every kept
 * detection (first {@code maxDets[-1]} per image and category, in (category, image, score) order) one code per
 * (area range, IoU threshold): true positive, false positive or ignored; plus its rank inside its image block.
 * {@link CocoEvaluator#accumulate} turns it into precision and recall.
 */
public final class Evaluation {
    final EvalIndex index;
    final EvalParams params;
    /** [detection][area][threshold] flattened; see {@link ImageMatcher#TP}. */
    final byte[] codes;
    /** Rank of each detection inside its (image, category) block, by score. */
    final int[] rank;

    Evaluation(EvalIndex index, EvalParams params, byte[] codes, int[] rank) {
        this.index = index;
        this.params = params;
        this.codes = codes;
        this.rank = rank;
    }

    /** Number of images evaluated (distinct GT image ids). */
    public int numImages() {
        return index.numImages();
    }

    /** Number of categories (distinct declared ids). */
    public int numCategories() {
        return index.numCategories();
    }

    /** Number of GT boxes on listed images and declared categories. */
    public int numGt() {
        return index.numGt();
    }

    /** Number of detections evaluated (those with a declared category). */
    public int numDetections() {
        return index.numDetections();
    }

    /** Number of detections dropped because their category is not declared. */
    public int droppedDetections() {
        return index.droppedDetections;
    }
}
