package org.detrkd.baselines.fgd;

import org.detrkd.detr.util.Scalars;
import ai.djl.ndarray.NDArray;

/**
 * The spatial and channel attention of a feature map used by FGD (Yang et al., CVPR 2022, Eq. 1-2) and FKD (Zhang and
 * Ma, ICLR 2021): {@code S = H W softmax_HW(mean_C |F| / T)} and {@code C = C softmax_C(mean_HW |F| / T)}. Both have
 * mean 1, so a uniform map gives ones.
 */
public final class FeatureAttention {

    private FeatureAttention() {}

    /** @return {@code [B, H, W]} spatial attention of {@code x [B, C, H, W]} at temperature {@code t} */
    public static NDArray spatial(NDArray x, double t) {
        long b = x.getShape().get(0);
        long h = x.getShape().get(2);
        long w = x.getShape().get(3);
        NDArray map = x.abs().mean(new int[] {1}); // [B, H, W]
        return Scalars.mul(Scalars.div(map.reshape(b, h * w), t).softmax(1), h * w).reshape(b, h, w);
    }

    /** @return {@code [B, C]} channel attention of {@code x [B, C, H, W]} at temperature {@code t} */
    public static NDArray channel(NDArray x, double t) {
        long c = x.getShape().get(1);
        NDArray map = x.abs().mean(new int[] {2}).mean(new int[] {2}); // [B, C], mean over H then W as the reference
        return Scalars.mul(Scalars.div(map, t).softmax(1), c);
    }
}
