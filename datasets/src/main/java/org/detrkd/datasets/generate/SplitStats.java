package org.detrkd.datasets.generate;

import java.util.List;

/**
 * Counts of one generated split, with the boxes by COCO area range (pycocotools' ranges: small area &le; 32&sup2;,
 * medium &le; 96&sup2;, large above).
 *
 * @param images images in the split
 * @param boxes annotations in the split
 * @param small boxes with area &le; 1024
 * @param medium boxes with 1024 &lt; area &le; 9216
 * @param large boxes with area &gt; 9216
 */
public record SplitStats(int images, int boxes, int small, int medium, int large) {
    /** COCO's small / medium area limits, pixels squared. */
    public static final double SMALL_MAX_AREA = 32.0 * 32.0;
    public static final double MEDIUM_MAX_AREA = 96.0 * 96.0;

    /** Counts the boxes of a split given per image. */
    public static SplitStats of(List<List<GeneratedBox>> perImage) {
        int boxes = 0;
        int small = 0;
        int medium = 0;
        int large = 0;
        for (List<GeneratedBox> image : perImage) {
            for (GeneratedBox b : image) {
                boxes++;
                double area = b.area();
                if (area <= SMALL_MAX_AREA) {
                    small++;
                } else if (area <= MEDIUM_MAX_AREA) {
                    medium++;
                } else {
                    large++;
                }
            }
        }
        return new SplitStats(perImage.size(), boxes, small, medium, large);
    }
}
