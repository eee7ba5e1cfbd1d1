package org.detrkd.detr.train;

import static org.testng.Assert.assertEquals;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import org.detrkd.datasets.coco.CocoCategory;
import org.detrkd.datasets.coco.CocoDetections;
import org.detrkd.datasets.djl.CategoryIndex;
import org.detrkd.detr.model.PostProcess;
import org.testng.annotations.Test;

import java.util.List;

/** PostProcess -> COCO results: category ids through the CategoryIndex, boxes in original-image pixels. */
public class CocoConversionTest {

    @Test
    public void mapsClassIndicesToIdsAndBoxesToOriginalPixels() {
        // categories with gaps, given out of order: index 0 -> id 3, 1 -> id 7, 2 -> id 11
        CategoryIndex cats = CategoryIndex.of(List.of(new CocoCategory(11, "c", null),
                new CocoCategory(3, "a", null), new CocoCategory(7, "b", null)));
        try (NDManager m = NDManager.newBaseManager()) {
            // one image, 2 queries, 3 classes; best pairs: (query 1, class 2) logit 3, then (query 0, class 0) logit 1
            float[] logits = {1f, -5f, -4f, -6f, -3f, 3f};
            float[] boxes = {0.5f, 0.5f, 0.2f, 0.4f, 0.25f, 0.75f, 0.5f, 0.1f};
            List<PostProcess.Detections> d = new PostProcess(2).apply(m.create(logits, new Shape(1, 2, 3)),
                    m.create(boxes, new Shape(1, 2, 4)), new int[][] {{100, 200}}); // height 100, width 200
            CocoDetections.Builder b = CocoDetections.builder(2);
            CocoConversion.append(d, new long[] {42}, cats, b);
            CocoDetections out = b.build();
            assertEquals(out.size(), 2);
            assertEquals(out.imageId(0), 42L);
            assertEquals(out.categoryId(0), 11L);
            assertEquals(out.score(0), 1 / (1 + Math.exp(-3)), 1e-6);
            // query 1: cx 0.25 cy 0.75 w 0.5 h 0.1 of a 200 x 100 image -> x 0, y 70, w 100, h 10
            assertEquals(out.x(0), 0.0, 1e-4);
            assertEquals(out.y(0), 70.0, 1e-4);
            assertEquals(out.w(0), 100.0, 1e-4);
            assertEquals(out.h(0), 10.0, 1e-4);
            assertEquals(out.categoryId(1), 3L);
            // query 0: cx 0.5 cy 0.5 w 0.2 h 0.4 -> x 80, y 30, w 40, h 40
            assertEquals(out.x(1), 80.0, 1e-4);
            assertEquals(out.y(1), 30.0, 1e-4);
            assertEquals(out.w(1), 40.0, 1e-4);
            assertEquals(out.h(1), 40.0, 1e-4);
        }
    }
}
