package org.detrkd.detr.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;

/**
 * Global-norm gradient clipping, as {@code torch.nn.utils.clip_grad_norm_} used by DETR ({@code max_norm} 0.1).
 *
 * <p>{@code total = sqrt(sum_p ||g_p||^2)} over all trainable gradients; when {@code total > maxNorm} every
 * gradient is multiplied in place by {@code maxNorm / (total + 1e-6)}. DJL's {@code optClipGrad} clamps element-wise
 * from above only and cannot express this. The norm stays on the device ({@link #globalNorm}) so that the engine
 * reads it together with the loss values in a single host transfer.
 */
public final class GradientClipping {

    /** DETR's default {@code clip_max_norm}. */
    public static final double DEFAULT_MAX_NORM = 0.1;

    private GradientClipping() {}

    /**
     * @param grads the gradients (any shapes), non-empty
     * @return the global L2 norm as a scalar array attached to the first gradient's manager
     */
    public static NDArray globalNorm(NDList grads) {
        NDList norms = new NDList(grads.size());
        for (NDArray g : grads) {
            norms.add(g.norm());
        }
        NDArray stacked = NDArrays.stack(norms);
        norms.close();
        NDArray total = stacked.norm();
        stacked.close();
        return total;
    }

    /**
     * @param totalNorm the global gradient norm
     * @param maxNorm the clipping threshold ({@code <= 0} disables clipping)
     * @return the factor the gradients are multiplied by (1 when no clipping is needed)
     */
    public static double coefficient(double totalNorm, double maxNorm) {
        if (maxNorm <= 0 || totalNorm <= maxNorm) {
            return 1.0;
        }
        return maxNorm / (totalNorm + 1e-6);
    }

    /**
     * Scales the gradients in place when the norm exceeds the threshold.
     *
     * @param grads the gradients
     * @param totalNorm their global norm (as returned by {@link #globalNorm}, read on the host)
     * @param maxNorm the threshold
     * @return the coefficient applied
     */
    public static double clip(NDList grads, double totalNorm, double maxNorm) {
        double coef = coefficient(totalNorm, maxNorm);
        if (coef < 1.0) {
            try (NDArray c = grads.get(0).getManager().create((float) coef)) {
                for (NDArray g : grads) {
                    g.muli(c);
                }
            }
        }
        return coef;
    }
}
