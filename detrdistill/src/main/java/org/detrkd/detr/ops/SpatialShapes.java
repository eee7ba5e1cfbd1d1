package org.detrkd.detr.ops;

import java.util.Arrays;

/**
 * The (height, width) of each feature level of a multi-scale input, as Deformable DETR's {@code spatial_shapes} and
 * {@code level_start_index}, but held as Java ints: ops use them to build index arithmetic without reading arrays back
 * from the device.
 *
 * <p>Level {@code l} pixel (row h, column w) is at flattened position {@code start(l) + h * width(l) + w}.
 */
public final class SpatialShapes {

    private final int[] heights;
    private final int[] widths;
    private final int[] starts;
    private final int total;

    private SpatialShapes(int[] heights, int[] widths) {
        if (heights.length == 0 || heights.length != widths.length) {
            throw new IllegalArgumentException("need at least one level and as many heights as widths");
        }
        this.heights = heights.clone();
        this.widths = widths.clone();
        starts = new int[heights.length];
        long sum = 0;
        for (int l = 0; l < heights.length; l++) {
            if (heights[l] < 1 || widths[l] < 1) {
                throw new IllegalArgumentException("level " + l + " has an empty shape " + heights[l] + "x"
                        + widths[l]);
            }
            starts[l] = (int) sum;
            sum += (long) heights[l] * widths[l];
        }
        if (sum > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("too many positions: " + sum);
        }
        total = (int) sum;
    }

    /**
     * @param hw (height, width) pairs, level after level: {@code of(100, 134, 50, 67)} is two levels
     * @return the shapes
     */
    public static SpatialShapes of(int... hw) {
        if (hw.length % 2 != 0) {
            throw new IllegalArgumentException("expected (height, width) pairs, got " + hw.length + " numbers");
        }
        int[] h = new int[hw.length / 2];
        int[] w = new int[hw.length / 2];
        for (int l = 0; l < h.length; l++) {
            h[l] = hw[2 * l];
            w[l] = hw[2 * l + 1];
        }
        return new SpatialShapes(h, w);
    }

    /** @return the number of levels L */
    public int levels() {
        return heights.length;
    }

    /** @return H of level {@code l} */
    public int height(int l) {
        return heights[l];
    }

    /** @return W of level {@code l} */
    public int width(int l) {
        return widths[l];
    }

    /** @return the flattened position of level {@code l}'s first pixel ({@code level_start_index[l]}) */
    public int start(int l) {
        return starts[l];
    }

    /** @return the number of positions of all levels, {@code S = sum H_l * W_l} */
    public int total() {
        return total;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SpatialShapes s && Arrays.equals(heights, s.heights) && Arrays.equals(widths, s.widths);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(heights) + Arrays.hashCode(widths);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("SpatialShapes[");
        for (int l = 0; l < heights.length; l++) {
            b.append(l == 0 ? "" : ", ").append(heights[l]).append('x').append(widths[l]);
        }
        return b.append(']').toString();
    }
}
