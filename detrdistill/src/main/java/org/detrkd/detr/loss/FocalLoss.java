package org.detrkd.detr.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import org.detrkd.detr.util.Scalars;

/**
 * Sigmoid focal loss (Lin et al., "Focal Loss for Dense Object Detection", ICCV 2017) as used by Deformable-DETR
 * ({@code models/segmentation.py} {@code sigmoid_focal_loss}, commit 11169a6) for classification without a
 * "no-object" class: each class is an independent binary problem, and an all-zero target row means "no object".
 *
 * <pre>
 *   p      = sigmoid(x)
 *   ce     = BCE-with-logits(x, t) = max(x, 0) - x*t + log(1 + exp(-|x|))        (stable for any |x|)
 *   p_t    = p*t + (1 - p)*(1 - t)
 *   loss   = alpha_t * ce * (1 - p_t)^gamma,   alpha_t = alpha*t + (1 - alpha)*(1 - t)   (alpha < 0: no alpha_t)
 * </pre>
 *
 * Results belong to the manager of {@code logits}; intermediates are closed.
 */
public final class FocalLoss {

    /** Deformable-DETR's {@code focal_alpha}. */
    public static final float DEFAULT_ALPHA = 0.25f;
    /** The focusing parameter used by DETR-family detectors. */
    public static final float DEFAULT_GAMMA = 2f;

    private FocalLoss() {}

    /**
     * Numerically stable binary cross-entropy on logits, elementwise (torch
     * {@code binary_cross_entropy_with_logits(reduction="none")}).
     *
     * @param logits [...] raw scores
     * @param targets [...] same shape, in [0, 1]
     * @return [...] {@code max(x, 0) - x*t + log1p(exp(-|x|))}
     */
    public static NDArray binaryCrossEntropyWithLogits(NDArray logits, NDArray targets) {
        NDArray out;
        try (NDScope scope = new NDScope()) {
            // softplus(-|x|) = log1p(exp(-|x|)), accurate also where exp(-|x|) is tiny.
            NDArray tail = Activation.softPlus(logits.abs().neg());
            out = logits.maximum(Scalars.constant(logits, 0f)).sub(logits.mul(targets)).add(tail);
            NDScope.unregister(out);
        }
        NDScope.register(out);
        return out;
    }

    /**
     * Elementwise focal loss.
     *
     * @param logits [...] raw scores, e.g. [B, Q, K]
     * @param targets [...] same shape, one-hot per query (all zeros = no object)
     * @param alpha weight of positives in (0, 1); negative disables the alpha_t factor
     * @param gamma focusing exponent, >= 0
     * @return [...] the loss of every element, before any reduction
     */
    public static NDArray sigmoidFocalLossElementwise(NDArray logits, NDArray targets, float alpha, float gamma) {
        checkSameShape(logits, targets);
        NDArray out;
        try (NDScope scope = new NDScope()) {
            NDArray prob = Activation.sigmoid(logits);
            NDArray ce = binaryCrossEntropyWithLogits(logits, targets);
            NDArray oneMinusT = targets.neg().add(1f);
            NDArray pT = prob.mul(targets).add(prob.neg().add(1f).mul(oneMinusT));
            out = ce.mul(pT.neg().add(1f).pow(Scalars.constant(logits, gamma)));
            if (alpha >= 0) {
                NDArray alphaT = targets.mul(Scalars.constant(targets, alpha))
                        .add(oneMinusT.mul(Scalars.constant(targets, 1f - alpha)));
                out = out.mul(alphaT);
            }
            NDScope.unregister(out);
        }
        NDScope.register(out);
        return out;
    }

    /**
     * Deformable-DETR's reduction: {@code loss.mean(dim=1 [queries]).sum() / numBoxes}.
     *
     * @param logits [B, Q, K] raw class scores
     * @param targets [B, Q, K] one-hot per query
     * @param numBoxes number of target boxes in the batch (the caller clamps it at 1)
     * @return scalar; {@code SetCriterion} reports this times Q as {@code loss_ce}
     */
    public static NDArray sigmoidFocalLoss(NDArray logits, NDArray targets, float numBoxes, float alpha,
            float gamma) {
        if (logits.getShape().dimension() != 3) {
            throw new IllegalArgumentException("focal loss expects [B, Q, K] logits, got " + logits.getShape());
        }
        NDArray out;
        try (NDScope scope = new NDScope()) {
            out = sigmoidFocalLossElementwise(logits, targets, alpha, gamma).mean(new int[] {1}).sum()
                    .div(Scalars.constant(logits, numBoxes));
            NDScope.unregister(out);
        }
        NDScope.register(out);
        return out;
    }

    /** {@link #sigmoidFocalLoss(NDArray, NDArray, float, float, float)} with alpha 0.25 and gamma 2. */
    public static NDArray sigmoidFocalLoss(NDArray logits, NDArray targets, float numBoxes) {
        return sigmoidFocalLoss(logits, targets, numBoxes, DEFAULT_ALPHA, DEFAULT_GAMMA);
    }


    private static void checkSameShape(NDArray logits, NDArray targets) {
        if (!logits.getShape().equals(targets.getShape())) {
            throw new IllegalArgumentException("logits " + logits.getShape() + " and targets " + targets.getShape()
                    + " must have the same shape");
        }
    }
}
