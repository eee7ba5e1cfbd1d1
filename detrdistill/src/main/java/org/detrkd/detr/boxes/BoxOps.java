package org.detrkd.detr.boxes;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import org.detrkd.detr.util.Scalars;

/**
 * Box conversions and overlaps on NDArrays, the one place in the project where box formats meet. Port of
 * facebookresearch/detr {@code util/box_ops.py} (commit 29901c5): {@code box_cxcywh_to_xyxy},
 * {@code box_xyxy_to_cxcywh}, {@code box_iou}, {@code generalized_box_iou}; {@code boxArea} follows
 * torchvision's {@code box_area}. Generalized IoU is Rezatofighi et al., CVPR 2019.
 *
 * <p>Formats: {@code cxcywh} is (centre x, centre y, width, height); {@code xyxy} is (x0, y0, x1, y1), top-left and
 * bottom-right. All operations are differentiable and keep the dtype and device of their inputs. Intermediate arrays
 * are closed before returning; each result belongs to the manager of the first input (and is registered in the
 * caller's {@link NDScope}, if any).
 *
 * <p>Degenerate inputs are not checked (that would need a host read): a pair whose union is 0 gives NaN, as in the
 * reference. Boxes with {@code x1 < x0} give meaningless overlaps.
 */
public final class BoxOps {

    private BoxOps() {}

    /**
     * Pairwise IoU and the union it was divided by.
     *
     * @param iou [N, M] intersection over union
     * @param union [N, M] area1 + area2 - intersection
     */
    public record IouAndUnion(NDArray iou, NDArray union) implements AutoCloseable {
        @Override
        public void close() {
            iou.close();
            union.close();
        }
    }

    /**
     * @param boxes [..., 4] cx, cy, w, h
     * @return [..., 4] x0, y0, x1, y1 with x0 = cx - 0.5*w, y0 = cy - 0.5*h, x1 = cx + 0.5*w, y1 = cy + 0.5*h
     */
    public static NDArray boxCxcywhToXyxy(NDArray boxes) {
        NDArray out;
        try (NDScope scope = new NDScope()) {
            NDList c = coords(boxes);
            NDArray half = Scalars.constant(boxes, 0.5f);
            NDArray halfW = c.get(2).mul(half);
            NDArray halfH = c.get(3).mul(half);
            out = NDArrays.concat(new NDList(c.get(0).sub(halfW), c.get(1).sub(halfH), c.get(0).add(halfW),
                    c.get(1).add(halfH)), lastAxis(boxes));
            NDScope.unregister(out);
        }
        NDScope.register(out);
        return out;
    }

    /**
     * @param boxes [..., 4] x0, y0, x1, y1
     * @return [..., 4] cx, cy, w, h with cx = (x0 + x1)/2, cy = (y0 + y1)/2, w = x1 - x0, h = y1 - y0
     */
    public static NDArray boxXyxyToCxcywh(NDArray boxes) {
        NDArray out;
        try (NDScope scope = new NDScope()) {
            NDList c = coords(boxes);
            NDArray two = Scalars.constant(boxes, 2f);
            out = NDArrays.concat(new NDList(c.get(0).add(c.get(2)).div(two), c.get(1).add(c.get(3)).div(two),
                    c.get(2).sub(c.get(0)), c.get(3).sub(c.get(1))), lastAxis(boxes));
            NDScope.unregister(out);
        }
        NDScope.register(out);
        return out;
    }

    /**
     * @param boxes [..., 4] x0, y0, x1, y1
     * @return [...] (x1 - x0) * (y1 - y0)
     */
    public static NDArray boxArea(NDArray boxes) {
        NDArray out;
        try (NDScope scope = new NDScope()) {
            NDList c = coords(boxes);
            out = c.get(2).sub(c.get(0)).mul(c.get(3).sub(c.get(1))).squeeze(lastAxis(boxes));
            NDScope.unregister(out);
        }
        NDScope.register(out);
        return out;
    }

    /**
     * Pairwise IoU, rows are {@code boxes1}, columns {@code boxes2}.
     *
     * @param boxes1 [N, 4] x0, y0, x1, y1
     * @param boxes2 [M, 4] x0, y0, x1, y1
     * @return iou [N, M] and union [N, M]; intersections are clamped at 0
     */
    public static IouAndUnion boxIou(NDArray boxes1, NDArray boxes2) {
        NDArray iou;
        NDArray union;
        try (NDScope scope = new NDScope()) {
            Overlap o = overlap(boxes1.expandDims(1), boxes2.expandDims(0));
            iou = o.iou.squeeze(2);
            union = o.union.squeeze(2);
            NDScope.unregister(iou, union);
        }
        NDScope.register(iou);
        NDScope.register(union);
        return new IouAndUnion(iou, union);
    }

    /**
     * Pairwise generalized IoU: {@code iou - (enclosing - union) / enclosing}, in [-1, 1].
     *
     * @param boxes1 [N, 4] x0, y0, x1, y1
     * @param boxes2 [M, 4] x0, y0, x1, y1
     * @return [N, M], rows are {@code boxes1}
     */
    public static NDArray generalizedBoxIou(NDArray boxes1, NDArray boxes2) {
        NDArray out;
        try (NDScope scope = new NDScope()) {
            out = overlap(boxes1.expandDims(1), boxes2.expandDims(0)).giou().squeeze(2);
            NDScope.unregister(out);
        }
        NDScope.register(out);
        return out;
    }

    /**
     * Generalized IoU of matched pairs: the diagonal of {@link #generalizedBoxIou} without building the [N, N] matrix.
     *
     * @param boxes1 [N, 4] x0, y0, x1, y1
     * @param boxes2 [N, 4] x0, y0, x1, y1, row i paired with row i of {@code boxes1}
     * @return [N]
     */
    public static NDArray elementwiseGeneralizedBoxIou(NDArray boxes1, NDArray boxes2) {
        if (!boxes1.getShape().equals(boxes2.getShape())) {
            throw new IllegalArgumentException("elementwise GIoU needs equal shapes, got " + boxes1.getShape()
                    + " and " + boxes2.getShape());
        }
        NDArray out;
        try (NDScope scope = new NDScope()) {
            out = overlap(boxes1, boxes2).giou().squeeze(lastAxis(boxes1));
            NDScope.unregister(out);
        }
        NDScope.register(out);
        return out;
    }

    /** Intersection, union and enclosing box of two broadcastable [..., 4] xyxy arrays; each [..., 1]. */
    private record Overlap(NDArray iou, NDArray union, NDArray enclosing) {
        NDArray giou() {
            return iou.sub(enclosing.sub(union).div(enclosing));
        }
    }

    private static Overlap overlap(NDArray a, NDArray b) {
        NDList p = coords(a);
        NDList q = coords(b);
        NDArray areaA = p.get(2).sub(p.get(0)).mul(p.get(3).sub(p.get(1)));
        NDArray areaB = q.get(2).sub(q.get(0)).mul(q.get(3).sub(q.get(1)));
        NDArray interW = clampMin0(p.get(2).minimum(q.get(2)).sub(p.get(0).maximum(q.get(0))));
        NDArray interH = clampMin0(p.get(3).minimum(q.get(3)).sub(p.get(1).maximum(q.get(1))));
        NDArray inter = interW.mul(interH);
        NDArray union = areaA.add(areaB).sub(inter);
        NDArray encW = clampMin0(p.get(2).maximum(q.get(2)).sub(p.get(0).minimum(q.get(0))));
        NDArray encH = clampMin0(p.get(3).maximum(q.get(3)).sub(p.get(1).minimum(q.get(1))));
        return new Overlap(inter.div(union), union, encW.mul(encH));
    }

    /** torch {@code clamp(min=0)}: gradient passes where the input is >= 0. */
    private static NDArray clampMin0(NDArray x) {
        return x.clip(0f, Float.POSITIVE_INFINITY);
    }


    /** Splits [..., 4] into four [..., 1] arrays (x0/cx, y0/cy, x1/w, y1/h). */
    private static NDList coords(NDArray boxes) {
        if (boxes.getShape().dimension() == 0 || boxes.getShape().getLastDimension() != 4) {
            throw new IllegalArgumentException("boxes need a last axis of 4, got shape " + boxes.getShape());
        }
        return boxes.split(4, lastAxis(boxes));
    }

    private static int lastAxis(NDArray boxes) {
        return boxes.getShape().dimension() - 1;
    }
}
