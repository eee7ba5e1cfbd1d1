package org.detrkd.detr.adamixer;

import static org.testng.Assert.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import org.testng.annotations.Test;

/** The (x, y, z, r) box arithmetic against hand-computed values. */
public class XyzrTest {

    private static void assertClose(float[] got, double[] expected, double tol) {
        assertEquals(got.length, expected.length);
        for (int i = 0; i < got.length; i++) {
            assertEquals(got[i], expected[i], tol, "entry " + i);
        }
    }

    @Test
    public void sizesRefinementAndRoundTrip() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray xyzr = m.create(new float[] {10, 20, 3, 1}, new Shape(1, 1, 4));
            // w = 2^(z - r/2) = 2^2.5, h = 2^(z + r/2) = 2^3.5
            assertClose(Xyzr.pixelSizes(xyzr).toFloatArray(), new double[] {5.656854, 11.313708}, 1e-4);
            // the centre moves by delta * 2^z = delta * 8; z and r by delta
            NDArray refined = Xyzr.refine(xyzr, m.create(new float[] {0.5f, -0.25f, 0.1f, -0.2f}, new Shape(1, 1, 4)));
            assertClose(refined.toFloatArray(), new double[] {14, 18, 3.1, 0.8}, 1e-5);
            // normalised boxes of a 64 x 32 unpadded image and back
            NDArray valid = m.create(new float[] {64, 32}, new Shape(1, 1, 2));
            NDArray boxes = Xyzr.toBoxes(xyzr, valid);
            assertClose(boxes.toFloatArray(), new double[] {10 / 64.0, 20 / 32.0, 5.656854 / 64, 11.313708 / 32}, 1e-5);
            assertClose(Xyzr.fromBoxes(boxes, valid).toFloatArray(), new double[] {10, 20, 3, 1}, 1e-5);
        }
    }

    @Test
    public void intersectionOverForegroundIsNormalisedByTheRowBox() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray corners = m.create(new float[] {0, 0, 10, 10, 5, 5, 15, 25, 20, 20, 30, 30}, new Shape(1, 3, 4));
            float[] iof = Xyzr.iof(corners).toFloatArray();
            // overlap of boxes 0 and 1 is 5 x 5 = 25; areas 100 and 200; box 2 (20..30) overlaps neither
            assertClose(iof, new double[] {1, 0.25, 0, 0.125, 1, 0, 0, 0, 1}, 1e-5);
        }
    }
}
