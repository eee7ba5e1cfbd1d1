package org.detrkd.detr.backbone;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * Padding masks of feature maps, as DETR's {@code NestedTensor}: the pixel mask resized to the map's size by nearest
 * interpolation ({@code F.interpolate(mask.float(), size).bool()}).
 */
public final class FeatureMasks {

    private FeatureMasks() {}

    /**
     * @param pixelMask {@code [B, H, W]} boolean, true = padding
     * @param height feature map height h
     * @param width feature map width w
     * @return {@code [B, h, w]} boolean, true = padding, on the mask's manager
     */
    public static NDArray resize(NDArray pixelMask, long height, long width) {
        NDArray f = pixelMask.toType(DataType.FLOAT32, false).expandDims(1); // [B, 1, H, W]
        NDArray r = f.getNDArrayInternal().interpolation(new long[] {height, width}, 0, false);
        return r.squeeze(1).gt(0.5f);
    }
}
