package org.detrkd.baselines.fgd;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.util.ArrayList;
import java.util.List;

/**
 * FGD's foreground and background masks on one feature level, computed on the host from pixel boxes, following the
 * reference {@code FeatureLoss.forward} (yzd-v/FGD c03a6cf, with the [h, w] indexing fix of c22b81d):
 *
 * <ul>
 *   <li>box to cells: {@code x' = x / img_w * W}, {@code y' = y / img_h * H} in float32; {@code wmin = floor(x0')},
 *       {@code wmax = ceil(x1')}, {@code hmin = floor(y0')}, {@code hmax = ceil(y1')}; the box covers rows
 *       {@code hmin..hmax} and columns {@code wmin..wmax} inclusive (so an edge exactly on a cell boundary still takes
 *       the next row/column), clipped to the map;
 *   <li>value {@code 1 / ((hmax + 1 - hmin) (wmax + 1 - wmin))} from the unclipped indices; overlaps keep the maximum;
 *   <li>background {@code = (foreground == 0)}, normalised to sum 1 per image when any cell is background.
 * </ul>
 * Deviation, only for boxes partly outside the image: a negative start index is clipped to 0 here, where Python
 * slicing would wrap around.
 *
 * @param foreground {@code [B * H * W]} row-major foreground mask
 * @param background {@code [B * H * W]} row-major background mask
 * @param height H
 * @param width W
 * @param cells per image, per box {@code {wmin, wmax, hmin, hmax}} (unclipped)
 */
public record FgdMasks(float[] foreground, float[] background, int height, int width, List<int[][]> cells) {

    /** @return the masks of a {@code height x width} level for the images' boxes */
    public static FgdMasks compute(List<GtBoxes> targets, int height, int width) {
        int hw = height * width;
        float[] fg = new float[targets.size() * hw];
        float[] bg = new float[targets.size() * hw];
        List<int[][]> cells = new ArrayList<>();
        for (int i = 0; i < targets.size(); i++) {
            GtBoxes g = targets.get(i);
            int[][] boxCells = new int[g.count()][];
            for (int j = 0; j < g.count(); j++) {
                boxCells[j] = cells(g, j, height, width);
                paint(fg, i * hw, width, height, boxCells[j]);
            }
            cells.add(boxCells);
            normaliseBackground(fg, bg, i * hw, hw);
        }
        return new FgdMasks(fg, bg, height, width, cells);
    }

    /** @return {@code {wmin, wmax, hmin, hmax}} of box {@code j}, float32 arithmetic as the reference */
    static int[] cells(GtBoxes g, int j, int height, int width) {
        float x0 = g.coord(j, 0) / (float) g.imageWidth() * width;
        float y0 = g.coord(j, 1) / (float) g.imageHeight() * height;
        float x1 = g.coord(j, 2) / (float) g.imageWidth() * width;
        float y1 = g.coord(j, 3) / (float) g.imageHeight() * height;
        return new int[] {(int) Math.floor(x0), (int) Math.ceil(x1), (int) Math.floor(y0), (int) Math.ceil(y1)};
    }

    private static void paint(float[] fg, int offset, int width, int height, int[] c) {
        float area = 1.0f / (c[3] + 1 - c[2]) / (c[1] + 1 - c[0]);
        for (int r = Math.max(c[2], 0); r <= Math.min(c[3], height - 1); r++) {
            for (int col = Math.max(c[0], 0); col <= Math.min(c[1], width - 1); col++) {
                int k = offset + r * width + col;
                fg[k] = Math.max(fg[k], area);
            }
        }
    }

    private static void normaliseBackground(float[] fg, float[] bg, int offset, int hw) {
        float sum = 0;
        for (int k = offset; k < offset + hw; k++) {
            bg[k] = fg[k] > 0 ? 0f : 1f;
            sum += bg[k];
        }
        if (sum > 0) {
            for (int k = offset; k < offset + hw; k++) {
                bg[k] /= sum;
            }
        }
    }

    /** @return {@code [B, 1, H, W]} foreground mask in {@code m} */
    public NDArray foreground(NDManager m) {
        return m.create(foreground, new Shape(foreground.length / ((long) height * width), 1, height, width));
    }

    /** @return {@code [B, 1, H, W]} background mask in {@code m} */
    public NDArray background(NDManager m) {
        return m.create(background, new Shape(background.length / ((long) height * width), 1, height, width));
    }
}
