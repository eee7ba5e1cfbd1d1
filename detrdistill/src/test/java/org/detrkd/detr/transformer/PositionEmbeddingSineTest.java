package org.detrkd.detr.transformer;

import static org.testng.Assert.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import org.testng.annotations.Test;

public class PositionEmbeddingSineTest {

    /** numPosFeats 4, T 10000: frequencies 1, 1, 100, 100. */
    private static double[] expected(double y, double x) {
        return new double[] {Math.sin(y), Math.cos(y), Math.sin(y / 100), Math.cos(y / 100), Math.sin(x), Math.cos(x),
            Math.sin(x / 100), Math.cos(x / 100)};
    }

    private static void assertRow(float[] flat, int row, double[] expected) {
        for (int i = 0; i < expected.length; i++) {
            assertEquals(flat[row * expected.length + i], expected[i], 1e-5, "row " + row + " channel " + i);
        }
    }

    @Test
    public void mapValuesByHandWithPaddedColumn() {
        try (NDManager m = NDManager.newBaseManager()) {
            // one image 2 x 3, last column padded: valid width 2, valid height 2
            NDArray mask = m.create(new boolean[] {false, false, true, false, false, true}, new Shape(1, 2, 3));
            NDArray pos = new PositionEmbeddingSine(4, 10000).embedMap(mask);
            assertEquals(pos.getShape(), new Shape(1, 6, 8));
            float[] f = pos.toFloatArray();
            double tau = 2 * Math.PI;
            double eps = 1e-6;
            // (h 0, w 0): y = 1/2, x = 1/2 of 2 pi
            assertRow(f, 0, expected(1 / (2 + eps) * tau, 1 / (2 + eps) * tau));
            // (h 1, w 0): y = 2/2, x = 1/2
            assertRow(f, 3, expected(2 / (2 + eps) * tau, 1 / (2 + eps) * tau));
            // (h 1, w 1): y = 1, x = 1
            assertRow(f, 4, expected(2 / (2 + eps) * tau, 2 / (2 + eps) * tau));
            // padded (h 0, w 2): y counts 0 there, x keeps the cumulative count 2 -> 2 / 2
            assertRow(f, 2, expected(0, 2 / (2 + eps) * tau));
        }
    }

    @Test
    public void pointValuesByHand() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray points = m.create(new float[] {0.25f, 0.5f, 1f, 0f}, new Shape(1, 2, 2)); // (x, y)
            NDArray pos = new PositionEmbeddingSine(4, 10000).embedPoints(points);
            assertEquals(pos.getShape(), new Shape(1, 2, 8));
            float[] f = pos.toFloatArray();
            double tau = 2 * Math.PI;
            assertRow(f, 0, expected(0.5 * tau, 0.25 * tau));
            assertRow(f, 1, expected(0, tau));
        }
    }
}
