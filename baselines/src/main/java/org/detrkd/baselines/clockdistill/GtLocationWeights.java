package org.detrkd.baselines.clockdistill;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.util.List;
import org.detrkd.detr.matching.ImageTargets;

/**
 * The ground-truth location weights of CLoCKDistill's memory term (our form): on the encoder's {@code H x W} grid,
 * weight {@code 1 + beta} at a cell whose centre lies inside a ground-truth box (and at the cell holding a box's centre,
 * so a box smaller than a cell still counts), 1 at other valid cells, 0 at padding. Cell centres are expressed in the
 * normalised coordinates of the unpadded image, recovered from the memory's padding mask (valid cells along the first
 * row and column), as the targets are.
 */
public final class GtLocationWeights {

    private GtLocationWeights() {}

    /**
     * @param targets B images' targets (normalised cx, cy, w, h of the unpadded image)
     * @param memoryMask {@code [B, H*W]} boolean, true = padding
     * @param h H
     * @param w W
     * @param beta the extra weight inside boxes
     * @return {@code [B * H * W]} row-major weights
     */
    public static float[] compute(List<ImageTargets> targets, NDArray memoryMask, int h, int w, double beta) {
        boolean[] pad = memoryMask.toType(DataType.BOOLEAN, false).toBooleanArray();
        int hw = h * w;
        float[] out = new float[targets.size() * hw];
        for (int b = 0; b < targets.size(); b++) {
            int validH = 0;
            int validW = 0;
            for (int y = 0; y < h; y++) {
                validH += pad[b * hw + y * w] ? 0 : 1;
            }
            for (int x = 0; x < w; x++) {
                validW += pad[b * hw + x] ? 0 : 1;
            }
            for (int k = 0; k < hw; k++) {
                out[b * hw + k] = pad[b * hw + k] ? 0f : 1f;
            }
            ImageTargets t = targets.get(b);
            float[] c = t.size() == 0 ? new float[0] : t.boxes().toType(DataType.FLOAT32, false).toFloatArray();
            for (int i = 0; i < c.length; i += 4) {
                mark(out, b * hw, w, validH, validW, c[i], c[i + 1], c[i + 2], c[i + 3], (float) (1 + beta));
            }
        }
        return out;
    }

    private static void mark(float[] out, int offset, int w, int validH, int validW, float cx, float cy, float bw,
            float bh, float value) {
        for (int y = 0; y < validH; y++) {
            double py = (y + 0.5) / validH;
            for (int x = 0; x < validW; x++) {
                double px = (x + 0.5) / validW;
                if (Math.abs(px - cx) <= bw / 2.0 && Math.abs(py - cy) <= bh / 2.0) {
                    out[offset + y * w + x] = value;
                }
            }
        }
        int x = Math.min(validW - 1, Math.max(0, (int) Math.floor(cx * validW)));
        int y = Math.min(validH - 1, Math.max(0, (int) Math.floor(cy * validH)));
        if (validW > 0 && validH > 0) {
            out[offset + y * w + x] = value;
        }
    }
}
