package org.detrkd.detr.matching;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.expectThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.testng.annotations.Test;

/** {@link ImageTargets#fromBatch} on the dataset's padded layout. */
public class ImageTargetsTest {

    private static NDList batch(NDManager m, long[] counts) {
        NDArray classes = m.create(new long[] {3, 1, -1, -1, -1, -1, 0, -1, -1}, new Shape(3, 3));
        float[] boxes = new float[3 * 3 * 4];
        for (int i = 0; i < boxes.length; i++) {
            boxes[i] = i / 64f;
        }
        return new NDList(classes, m.create(boxes, new Shape(3, 3, 4)), m.create(counts));
    }

    @Test
    public void splitsThePaddedBatch() {
        try (NDManager m = NDManager.newBaseManager()) {
            List<ImageTargets> t = ImageTargets.fromBatch(batch(m, new long[] {2, 0, 1}));
            assertEquals(t.size(), 3);
            assertEquals(t.get(0).labels().toLongArray(), new long[] {3, 1});
            assertEquals(t.get(0).boxes().getShape(), new Shape(2, 4));
            assertEquals(t.get(0).boxes().toFloatArray(), new float[] {0, 1 / 64f, 2 / 64f, 3 / 64f, 4 / 64f, 5 / 64f,
                6 / 64f, 7 / 64f});
            assertEquals(t.get(1).size(), 0);
            assertEquals(t.get(1).labels().getShape(), new Shape(0));
            assertEquals(t.get(1).boxes().getShape(), new Shape(0, 4));
            assertEquals(t.get(2).labels().toLongArray(), new long[] {0});
            assertEquals(t.get(2).boxes().toFloatArray(), new float[] {24 / 64f, 25 / 64f, 26 / 64f, 27 / 64f});
        }
    }

    @Test
    public void rejectsBadLayouts() {
        try (NDManager m = NDManager.newBaseManager()) {
            IllegalArgumentException e = expectThrows(IllegalArgumentException.class,
                    () -> ImageTargets.fromBatch(batch(m, new long[] {2, 4, 1})));
            assertEquals(e.getMessage(), "image 1 of the batch has count 4, outside [0, 3]");
            NDList two = batch(m, new long[] {1, 1, 1});
            two.remove(2);
            e = expectThrows(IllegalArgumentException.class, () -> ImageTargets.fromBatch(two));
            assertEquals(e.getMessage(), "batch labels need {classes, boxes, counts}, got 2 arrays");
            NDList shortCounts = batch(m, new long[] {1, 1});
            e = expectThrows(IllegalArgumentException.class, () -> ImageTargets.fromBatch(shortCounts));
            assertEquals(e.getMessage(), "batch labels need classes [B, Nmax], boxes [B, Nmax, 4] and counts [B], "
                    + "got (3, 3), (3, 3, 4), (2)");
            e = expectThrows(IllegalArgumentException.class,
                    () -> new ImageTargets(m.create(new long[] {1, 2}), m.zeros(new Shape(3, 4))));
            assertEquals(e.getMessage(), "targets need labels [n] and boxes [n, 4], got (2) and (3, 4)");
            e = expectThrows(IllegalArgumentException.class,
                    () -> new ImageTargets(m.create(new int[] {1}), m.zeros(new Shape(1, 4))));
            assertEquals(e.getMessage(), "target labels must be int64, got int32");
        }
    }
}
