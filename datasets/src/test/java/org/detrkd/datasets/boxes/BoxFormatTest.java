package org.detrkd.datasets.boxes;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertThrows;
import static org.testng.Assert.assertTrue;

import org.testng.annotations.Test;

public class BoxFormatTest {
    private static final double EPS = 1e-12;

    private static void assertArray(double[] actual, double[] expected) {
        assertEquals(actual.length, expected.length);
        for (int i = 0; i < actual.length; i++) {
            assertEquals(actual[i], expected[i], EPS, "element " + i);
        }
    }

    @Test
    public void xywhToXyxyAndBack() {
        double[] xywh = {10, 20, 30, 40, 0, 0, 1.5, 2.5};
        double[] xyxy = BoxFormat.xywhToXyxy(xywh);
        assertArray(xyxy, new double[] {10, 20, 40, 60, 0, 0, 1.5, 2.5});
        assertArray(BoxFormat.xyxyToXywh(xyxy), xywh);
    }

    @Test
    public void xyxyToNormalisedCenterForm() {
        // image 200 wide, 100 high; box (10, 20)-(40, 60): centre (25, 40), size 30 x 40
        double[] norm = BoxFormat.xyxyToCxcywhNorm(new double[] {10, 20, 40, 60}, 200, 100);
        assertArray(norm, new double[] {0.125, 0.4, 0.15, 0.4});
        assertArray(BoxFormat.cxcywhNormToXyxy(norm, 200, 100), new double[] {10, 20, 40, 60});
    }

    @Test
    public void cocoToNormalisedAndBackForPostProcessing() {
        double[] xywh = {5, 5, 10, 20, 100, 0, 28, 50};
        double[] norm = BoxFormat.xywhToCxcywhNorm(xywh, 128, 64);
        assertArray(norm, new double[] {10.0 / 128, 15.0 / 64, 10.0 / 128, 20.0 / 64,
            114.0 / 128, 25.0 / 64, 28.0 / 128, 50.0 / 64});
        assertArray(BoxFormat.cxcywhNormToXywh(norm, 128, 64), xywh);
    }

    @Test
    public void roundTripsOnIrregularValues() {
        double[] xyxy = {0.3, 1.7, 99.9, 45.25, 12, 13, 12.5, 80};
        assertArray(BoxFormat.cxcywhNormToXyxy(BoxFormat.xyxyToCxcywhNorm(xyxy, 101, 47), 101, 47), xyxy);
        assertArray(BoxFormat.xywhToXyxy(BoxFormat.xyxyToXywh(xyxy)), xyxy);
    }

    @Test
    public void clipToImageAndEmptiness() {
        double[] clipped = BoxFormat.clipXyxy(new double[] {-5, 2, 30, 12, 40, 1, 50, 5, 3, -4, 8, 0}, 32, 10);
        assertArray(clipped, new double[] {0, 2, 30, 10, 32, 1, 32, 5, 3, 0, 8, 0});
        assertTrue(BoxFormat.isNonEmpty(clipped, 0));
        assertFalse(BoxFormat.isNonEmpty(clipped, 1), "fully right of the image: zero width");
        assertFalse(BoxFormat.isNonEmpty(clipped, 2), "fully above the image: zero height");
    }

    @Test
    public void inputsAreNotModified() {
        double[] in = {1, 2, 3, 4};
        BoxFormat.xywhToXyxy(in);
        BoxFormat.clipXyxy(in, 2, 2);
        assertArray(in, new double[] {1, 2, 3, 4});
    }

    @Test
    public void rejectsBadShapesAndSizes() {
        IllegalArgumentException e = expectThrows(() -> BoxFormat.xywhToXyxy(new double[5]));
        assertEquals(e.getMessage(), "box array length must be a multiple of 4, got 5");
        e = expectThrows(() -> BoxFormat.xyxyToCxcywhNorm(new double[4], 0, 10));
        assertEquals(e.getMessage(), "image size must be positive, got 0.0x10.0");
        assertThrows(IllegalArgumentException.class, () -> BoxFormat.count(new double[3]));
    }

    private static IllegalArgumentException expectThrows(Runnable r) {
        try {
            r.run();
        } catch (IllegalArgumentException e) {
            return e;
        }
        throw new AssertionError("expected IllegalArgumentException");
    }
}
