package org.detrkd.baselines.kd;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.List;
import org.detrkd.baselines.fgd.GtBoxes;
import org.detrkd.detr.matching.ImageTargets;

/**
 * Converts the batch's DETR targets into the pixel boxes the CNN-era methods (FGD, FGFI) expect.
 *
 * <p>DETR targets are normalised {@code (cx, cy, w, h)} of the UNPADDED image ({@link ImageTargets}); the feature maps
 * cover the PADDED batch tensor. {@link org.detrkd.detr.distill.DistillationInputs} carries no image sizes, so they
 * are recovered from the padding mask of the level the method reads: an image's valid extent is its count of
 * non-padding cells along the first row / column times the stride (exact when the image sides are multiples of the
 * stride, as on the 64-pixel mini benchmark; otherwise rounded up to the next cell, at most {@code stride - 1} pixels
 * too large). Boxes become {@code x0 = (cx - w/2) * W_valid}, ... in pixels, and the image size passed on is the padded
 * one, {@code (H_cells * stride, W_cells * stride)}, so that FGD's {@code x / img_w * W} lands on the right cells.
 */
public final class GtPixels {

    private GtPixels() {}

    /**
     * @param targets B images' targets
     * @param mask {@code [B, H, W]} boolean padding mask of a level (true = padding)
     * @param stride pixels per cell of that level
     * @return B pixel boxes (xyxy) with the padded image size
     */
    public static List<GtBoxes> of(List<ImageTargets> targets, NDArray mask, int stride) {
        long[] s = mask.getShape().getShape();
        int h = (int) s[1];
        int w = (int) s[2];
        boolean[] pad = mask.toType(DataType.BOOLEAN, false).toBooleanArray();
        List<GtBoxes> out = new ArrayList<>(targets.size());
        for (int b = 0; b < targets.size(); b++) {
            int validH = 0;
            int validW = 0;
            for (int y = 0; y < h; y++) {
                validH += pad[b * h * w + y * w] ? 0 : 1;
            }
            for (int x = 0; x < w; x++) {
                validW += pad[b * h * w + x] ? 0 : 1;
            }
            out.add(boxes(targets.get(b), validH * stride, validW * stride, h * stride, w * stride));
        }
        return out;
    }

    /** @return pixel xyxy of normalised cxcywh boxes in a {@code validH x validW} image padded to {@code h x w} */
    static GtBoxes boxes(ImageTargets t, int validH, int validW, int h, int w) {
        float[] c = t.size() == 0 ? new float[0] : t.boxes().toType(DataType.FLOAT32, false).toFloatArray();
        float[] xyxy = new float[c.length];
        for (int i = 0; i < c.length; i += 4) {
            xyxy[i] = (c[i] - c[i + 2] / 2) * validW;
            xyxy[i + 1] = (c[i + 1] - c[i + 3] / 2) * validH;
            xyxy[i + 2] = (c[i] + c[i + 2] / 2) * validW;
            xyxy[i + 3] = (c[i + 1] + c[i + 3] / 2) * validH;
        }
        return new GtBoxes(xyxy, h, w);
    }
}
