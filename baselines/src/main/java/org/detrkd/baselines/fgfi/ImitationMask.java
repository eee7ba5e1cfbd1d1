package org.detrkd.baselines.fgfi;

import org.detrkd.baselines.fgd.GtBoxes;

import java.util.List;

/**
 * FGFI's fine-grained imitation mask (Wang et al., CVPR 2019, twangnh/Distilling-Object-Detectors
 * {@code anchor_target_layer.py}) on one level, computed on the host: for every ground-truth box, the IoU with every
 * anchor of the level (all locations, also anchors crossing the image border) is computed, its maximum {@code m_k}
 * found, and a location is in the mask when any of its anchors has {@code IoU > factor * m_k} (strictly) for some box
 * (union over boxes). IoU uses continuous pixel areas (the reference's Faster R-CNN code adds 1 to widths and heights).
 */
public final class ImitationMask {

    private ImitationMask() {}

    /**
     * @param targets per image, pixel boxes
     * @param height H of the level
     * @param width W of the level
     * @param stride pixels per cell
     * @param anchors the virtual anchor set
     * @param factor the relative threshold (0.5)
     * @return {@code [B * H * W]} row-major mask of 0 / 1
     */
    public static float[] compute(List<GtBoxes> targets, int height, int width, int stride, VirtualAnchors anchors,
            double factor) {
        double[][] wh = anchors.sizes(stride);
        int hw = height * width;
        float[] mask = new float[targets.size() * hw];
        double[] iou = new double[hw * wh.length];
        for (int i = 0; i < targets.size(); i++) {
            GtBoxes g = targets.get(i);
            for (int k = 0; k < g.count(); k++) {
                double max = 0;
                for (int cell = 0; cell < hw; cell++) {
                    double cx = (cell % width + anchors.centerOffset()) * stride;
                    double cy = (cell / width + anchors.centerOffset()) * stride;
                    for (int a = 0; a < wh.length; a++) {
                        double v = iou(cx - wh[a][0] / 2, cy - wh[a][1] / 2, cx + wh[a][0] / 2, cy + wh[a][1] / 2,
                                g.coord(k, 0), g.coord(k, 1), g.coord(k, 2), g.coord(k, 3));
                        iou[cell * wh.length + a] = v;
                        max = Math.max(max, v);
                    }
                }
                double threshold = factor * max;
                for (int j = 0; j < iou.length; j++) {
                    if (iou[j] > threshold) {
                        mask[i * hw + j / wh.length] = 1f;
                    }
                }
            }
        }
        return mask;
    }

    /** @return IoU of two xyxy boxes (0 when the union is empty) */
    static double iou(double ax0, double ay0, double ax1, double ay1, double bx0, double by0, double bx1, double by1) {
        double iw = Math.max(0, Math.min(ax1, bx1) - Math.max(ax0, bx0));
        double ih = Math.max(0, Math.min(ay1, by1) - Math.max(ay0, by0));
        double inter = iw * ih;
        double union = (ax1 - ax0) * (ay1 - ay0) + Math.max(0, bx1 - bx0) * Math.max(0, by1 - by0) - inter;
        return union > 0 ? inter / union : 0;
    }
}
