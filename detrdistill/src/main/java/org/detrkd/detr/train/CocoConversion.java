package org.detrkd.detr.train;

import org.detrkd.datasets.coco.CocoDetections;
import org.detrkd.datasets.djl.CategoryIndex;
import org.detrkd.detr.model.PostProcess;

import java.util.List;

/**
 * {@link PostProcess} detections to COCO results: contiguous class indices back to the dataset's category ids
 * ({@link CategoryIndex}) and boxes as {@code (x, y, width, height)} in pixels of the ORIGINAL image (PostProcess
 * already scaled the normalised boxes by the original size given to it, as DETR's {@code PostProcess} with
 * {@code orig_target_sizes}).
 */
public final class CocoConversion {

    private CocoConversion() {}

    /**
     * Appends the detections of a batch to a results builder.
     *
     * @param detections per image, from {@link PostProcess#apply} with the images' original sizes
     * @param imageIds the COCO image id of each image, same order
     * @param categories the dataset's category map
     * @param out the builder
     */
    public static void append(List<PostProcess.Detections> detections, long[] imageIds, CategoryIndex categories,
            CocoDetections.Builder out) {
        if (detections.size() != imageIds.length) {
            throw new IllegalArgumentException(detections.size() + " detection lists for " + imageIds.length
                    + " image ids");
        }
        for (int i = 0; i < imageIds.length; i++) {
            PostProcess.Detections d = detections.get(i);
            for (int j = 0; j < d.size(); j++) {
                float[] b = d.cocoXywh(j);
                out.add(imageIds[i], categories.categoryId(d.labels()[j]), b[0], b[1], b[2], b[3], d.scores()[j]);
            }
        }
    }
}
