package org.detrkd.detr.ops;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import org.testng.annotations.Test;

/** Neighbour positions and weights of {@link BilinearCorners} on hand-computed points, and index exactness. */
public class BilinearCornersTest {

    @Test
    public void neighboursOfHandComputedPoints() {
        // level 0: 4 x 5 (positions 0..19), level 1: 2 x 3 (positions 20..25)
        SpatialShapes shapes = SpatialShapes.of(4, 5, 2, 3);
        try (NDManager m = NDManager.newBaseManager()) {
            // [1, L=2, P=2, 2]: level 0 at (0.5, 0.5) and (0, 0); level 1 at (0.75, 0.25) and (1.25, 0.5)
            NDArray loc = m.create(new float[] {0.5f, 0.5f, 0f, 0f, 0.75f, 0.25f, 1.25f, 0.5f}, new Shape(1, 2, 2, 2));
            BilinearCorners c = BilinearCorners.compute(loc, shapes);
            assertEquals(c.index().getShape(), new Shape(1, 4, 2, 2));
            long[] idx = c.index().toLongArray(); // [corner][level][point]
            float[] w = c.weight().toFloatArray();
            // level 0, point 0: ix = 2, iy = 1.5 -> (2,1) (3,1) (2,2) (3,2) with weights .5 0 .5 0
            assertCorner(idx, w, 0, 0, new long[] {7, 8, 12, 13}, new float[] {0.5f, 0f, 0.5f, 0f});
            // level 0, point 1: ix = iy = -0.5 -> only (0, 0) inside, weight 0.25
            assertCorner(idx, w, 0, 1, null, new float[] {0f, 0f, 0f, 0.25f});
            assertEquals(idx[3 * 4 + 1], 0L, "(0, 0) of level 0");
            // level 1, point 0: ix = 1.75, iy = 0 -> (1,0) (2,0) (1,1) (2,1) weights .25 .75 0 0
            assertCorner(idx, w, 1, 0, new long[] {21, 22, 24, 25}, new float[] {0.25f, 0.75f, 0f, 0f});
            // level 1, point 1: ix = 3.25 (outside, right), iy = 0.5: nothing contributes
            assertCorner(idx, w, 1, 1, null, new float[] {0f, 0f, 0f, 0f});
            for (int k = 0; k < 4; k++) {
                long i = idx[k * 4 + 3];
                assertTrue(i >= 20 && i < 26, "clamped position stays in level 1: " + i);
            }
        }
    }

    private static void assertCorner(long[] idx, float[] w, int level, int point, long[] positions, float[] weights) {
        for (int k = 0; k < 4; k++) {
            int i = k * 4 + level * 2 + point;
            if (positions != null) {
                assertEquals(idx[i], positions[k], "position of corner " + k + " level " + level + " point " + point);
            }
            assertEquals(w[i], weights[k], 1e-7, "weight of corner " + k + " level " + level + " point " + point);
        }
    }

    @Test
    public void positionsStayExactBeyondFloat32Integers() {
        // 1 + 4100 * 4100 positions > 2^24: positions are computed in int64
        SpatialShapes shapes = SpatialShapes.of(1, 1, 4100, 4100);
        try (NDManager m = NDManager.newBaseManager()) {
            // level 1 pixel (x = 4098, y = 4099): loc = (4098.5 / 4100, 4099.5 / 4100)
            double x = 4098.5 / 4100;
            double y = 4099.5 / 4100;
            NDArray loc = m.create(new float[] {0.5f, 0.5f, (float) x, (float) y}, new Shape(2, 1, 2));
            BilinearCorners c = BilinearCorners.compute(loc, shapes);
            long[] idx = c.index().toLongArray(); // [corner][level]
            float[] w = c.weight().toFloatArray();
            int best = 0;
            for (int k = 0; k < 4; k++) {
                best = w[k * 2 + 1] > w[best * 2 + 1] ? k : best;
            }
            assertEquals(idx[best * 2 + 1], 1L + 4099L * 4100 + 4098, "position of the nearest pixel");
            assertEquals(idx[0], 0L, "level 0 single pixel");
        }
    }
}
