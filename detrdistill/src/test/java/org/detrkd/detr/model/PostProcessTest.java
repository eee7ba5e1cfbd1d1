package org.detrkd.detr.model;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.expectThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import org.testng.annotations.Test;

import java.util.List;

public class PostProcessTest {

    private static float logit(double p) {
        return (float) Math.log(p / (1 - p));
    }

    @Test
    public void topKOverQueriesTimesClassesWithAbsoluteXyxyBoxes() {
        try (NDManager m = NDManager.newBaseManager()) {
            // 2 images, 2 queries, 3 classes
            float[] l = {
                logit(0.1), logit(0.9), logit(0.3), // image 0, query 0
                logit(0.8), logit(0.05), logit(0.2), // image 0, query 1
                logit(0.5), logit(0.6), logit(0.7), // image 1, query 0
                logit(0.01), logit(0.02), logit(0.95)}; // image 1, query 1
            NDArray logits = m.create(l, new Shape(2, 2, 3));
            NDArray boxes = m.create(new float[] {
                0.5f, 0.5f, 0.2f, 0.4f, // image 0 query 0
                0.25f, 0.75f, 0.5f, 0.5f, // image 0 query 1
                0.1f, 0.2f, 0.2f, 0.2f, // image 1 query 0
                0.9f, 0.9f, 0.2f, 0.2f}, new Shape(2, 2, 4));
            List<PostProcess.Detections> out = new PostProcess(3).apply(logits, boxes, new int[][] {{100, 200},
                {50, 10}});
            assertEquals(out.size(), 2);
            PostProcess.Detections d0 = out.get(0);
            assertEquals(d0.size(), 3);
            assertEquals(d0.scores()[0], 0.9f, 1e-6);
            assertEquals(d0.scores()[1], 0.8f, 1e-6);
            assertEquals(d0.scores()[2], 0.3f, 1e-6);
            assertEquals(d0.labels(), new int[] {1, 0, 2});
            assertEquals(d0.queries(), new int[] {0, 1, 0});
            // image 0 is 100 high, 200 wide: query 0 cx .5 cy .5 w .2 h .4 -> x 80..120, y 30..70
            assertEquals(d0.boxesXyxy()[0], new float[] {80f, 30f, 120f, 70f}, 1e-4f);
            assertEquals(d0.boxesXyxy()[1], new float[] {0f, 50f, 100f, 100f}, 1e-4f);
            assertEquals(d0.cocoXywh(1), new float[] {0f, 50f, 100f, 50f}, 1e-4f);
            PostProcess.Detections d1 = out.get(1);
            assertEquals(d1.labels(), new int[] {2, 2, 1});
            assertEquals(d1.queries(), new int[] {1, 0, 0});
            assertEquals(d1.scores()[0], 0.95f, 1e-6);
            // image 1 is 50 high, 10 wide: query 1 cx .9 cy .9 w .2 h .2 -> x 8..10, y 40..50
            assertEquals(d1.boxesXyxy()[0], new float[] {8f, 40f, 10f, 50f}, 1e-4f);
        }
    }

    @Test
    public void keepsAllPairsWhenFewerThanTopK() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray logits = m.create(new float[] {0f, 0f, 1f, 0f}, new Shape(1, 2, 2));
            NDArray boxes = m.create(new float[] {0.5f, 0.5f, 1f, 1f, 0.5f, 0.5f, 1f, 1f}, new Shape(1, 2, 4));
            PostProcess.Detections d = PostProcess.top100().apply(logits, boxes, new int[][] {{4, 4}}).get(0);
            assertEquals(d.size(), 4);
            // ties broken by the lower flat index: (q0, c0), (q0, c1), (q1, c1)
            assertEquals(d.queries(), new int[] {1, 0, 0, 1});
            assertEquals(d.labels(), new int[] {0, 0, 1, 1});
            assertEquals(d.scores()[1], 0.5f, 1e-7);
        }
    }

    @Test
    public void rejectsMismatchedSizes() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray logits = m.zeros(new Shape(2, 3, 4));
            NDArray boxes = m.zeros(new Shape(2, 3, 4));
            IllegalArgumentException e = expectThrows(IllegalArgumentException.class,
                    () -> PostProcess.top100().apply(logits, boxes, new int[][] {{1, 1}}));
            assertEquals(e.getMessage(), "PostProcess: logits (2, 3, 4), boxes (2, 3, 4), 1 image sizes");
        }
    }
}
