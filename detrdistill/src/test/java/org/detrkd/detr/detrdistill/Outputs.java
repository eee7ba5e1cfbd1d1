package org.detrkd.detr.detrdistill;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.detrkd.detr.matching.ImageTargets;
import org.detrkd.detr.model.DetrOutputs;

/** Hand-made detector outputs and targets for the DETRDistill tests. */
final class Outputs {

    private Outputs() {}

    /** Outputs with only logits {@code [L, B, Q, K]} and boxes {@code [L, B, Q, 4]}. */
    static DetrOutputs of(NDManager m, float[] logits, float[] boxes, int l, int b, int q, int k) {
        NDArray lg = m.create(logits, new Shape(l, b, q, k));
        NDArray bx = m.create(boxes, new Shape(l, b, q, 4));
        return new DetrOutputs(lg, bx, null, null, null, null, null, 0, 0, null, List.of(), List.of(), null);
    }

    /** One image's targets. */
    static ImageTargets targets(NDManager m, long[] labels, float[] boxes) {
        return new ImageTargets(m.create(labels), m.create(boxes, new Shape(labels.length, 4)));
    }

    static double softplus(double x) {
        return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
    }

    static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    /** Binary KL of student logit s from teacher logit t: BCE(s, p) - BCE(t, p), p = sigmoid(t). */
    static double kl(double s, double t) {
        double p = sigmoid(t);
        return (softplus(s) - p * s) - (softplus(t) - p * t);
    }
}
