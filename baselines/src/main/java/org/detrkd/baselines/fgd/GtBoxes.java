package org.detrkd.baselines.fgd;

import ai.djl.ndarray.NDArray;

/**
 * The ground truth of one image as the CNN-era methods (FGD, FGFI) need it: boxes in input-image pixels
 * {@code x0, y0, x1, y1} and the image size in pixels.
 *
 * @param xyxy {@code [n * 4]} row-major boxes, pixels
 * @param imageHeight image height in pixels (FGD scales y by {@code H / imageHeight})
 * @param imageWidth image width in pixels
 */
public record GtBoxes(float[] xyxy, int imageHeight, int imageWidth) {

    /** Checks the box array length and the image size. */
    public GtBoxes {
        if (xyxy.length % 4 != 0) {
            throw new IllegalArgumentException("box array length " + xyxy.length + " is not a multiple of 4");
        }
        if (imageHeight < 1 || imageWidth < 1) {
            throw new IllegalArgumentException("bad image size " + imageHeight + "x" + imageWidth);
        }
        xyxy = xyxy.clone();
    }

    /** @return boxes from {@code [n, 4]} pixel xyxy (read to the host) */
    public static GtBoxes of(NDArray boxes, int imageHeight, int imageWidth) {
        return new GtBoxes(boxes.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray(), imageHeight,
                imageWidth);
    }

    /** @return the number of boxes */
    public int count() {
        return xyxy.length / 4;
    }

    /** @return coordinate {@code k} (0 x0, 1 y0, 2 x1, 3 y1) of box {@code i} */
    public float coord(int i, int k) {
        return xyxy[4 * i + k];
    }
}
