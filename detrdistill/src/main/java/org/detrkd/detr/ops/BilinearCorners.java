package org.detrkd.detr.ops;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * The four bilinear neighbours of sampling locations, as flattened positions and weights: the common part of
 * {@link BilinearSampler} and {@link MultiScaleDeformableAttention#core}.
 *
 * <p>Convention of {@code torch.nn.functional.grid_sample(mode='bilinear', padding_mode='zeros',
 * align_corners=False)} with {@code grid = 2 * loc - 1}: a location (x, y) in [0, 1] over the image extent maps to the
 * source pixel coordinate {@code ix = x * W - 0.5}, {@code iy = y * H - 0.5} (pixel column j has its centre at ix = j).
 * With {@code x0 = floor(ix)}, {@code fx = ix - x0} (and the same for y) the neighbours are, in this order,
 * {@code (x0, y0), (x0 + 1, y0), (x0, y0 + 1), (x0 + 1, y0 + 1)} with weights {@code (1-fx)(1-fy), fx(1-fy),
 * (1-fx)fy, fx fy}. A neighbour outside the map contributes nothing: its weight is multiplied by 0 and its position
 * is replaced by 0 (a valid position, so a gather never goes out of range). The floor is taken on a detached copy, so
 * the weights carry the gradient with respect to the locations; at an integer ix this is the one-sided derivative
 * with {@code x0 = floor(ix)}, as torch's.
 *
 * @param index {@code [..., L, P, 4]} int64: flattened position {@code start(l) + y * W_l + x} of each neighbour over
 *     all levels, or 0 for a neighbour outside its map
 * @param weight {@code [..., L, P, 4]} the bilinear weight of each neighbour, 0 outside the map; differentiable with
 *     respect to the locations
 */
public record BilinearCorners(NDArray index, NDArray weight) {

    /** Number of neighbours per location. */
    public static final int CORNERS = 4;

    /**
     * Computes the neighbours. All arrays are created on the locations' manager.
     *
     * @param loc {@code [..., L, P, 2]} (x, y) in [0, 1] per level (the level axis is the third from the end; use
     *     L = 1 for a single map)
     * @param shapes the L level shapes
     * @return neighbour positions and weights {@code [..., L, P, 4]}
     */
    public static BilinearCorners compute(NDArray loc, SpatialShapes shapes) {
        Shape s = loc.getShape();
        int dims = s.dimension();
        int levels = shapes.levels();
        if (dims < 3 || s.get(dims - 1) != 2 || s.get(dims - 3) != levels) {
            throw new IllegalArgumentException("locations must be [..., L=" + levels + ", P, 2], got " + s);
        }
        NDManager m = loc.getManager();
        float[] size = new float[2 * levels];
        long[] widths = new long[levels];
        long[] heights = new long[levels];
        long[] starts = new long[levels];
        for (int l = 0; l < levels; l++) {
            size[2 * l] = shapes.width(l);
            size[2 * l + 1] = shapes.height(l);
            widths[l] = shapes.width(l);
            heights[l] = shapes.height(l);
            starts[l] = shapes.start(l);
        }
        Shape perLevel = new Shape(levels, 1); // broadcasts against [..., L, P]
        NDArray pix = loc.mul(m.create(size, new Shape(levels, 1, 2)).toType(loc.getDataType(), false)).sub(0.5);
        NDArray floor = pix.stopGradient().floor();
        NDArray frac = pix.sub(floor); // [..., L, P, 2], carries d/dloc
        NDArray cell = floor.toType(DataType.INT64, false);
        NDArray x0 = cell.get("..., 0");
        NDArray y0 = cell.get("..., 1");
        NDArray w = m.create(widths, perLevel);
        NDArray h = m.create(heights, perLevel);
        NDArray vx0 = x0.gte(0).logicalAnd(x0.lt(w));
        NDArray vx1 = x0.gte(-1).logicalAnd(x0.lt(w.sub(1)));
        NDArray vy0 = y0.gte(0).logicalAnd(y0.lt(h));
        NDArray vy1 = y0.gte(-1).logicalAnd(y0.lt(h.sub(1)));
        int axis = dims - 1; // the new last axis of [..., L, P, 4]
        NDArray valid = NDArrays.stack(new NDList(vy0.logicalAnd(vx0), vy0.logicalAnd(vx1), vy1.logicalAnd(vx0),
                vy1.logicalAnd(vx1)), axis);
        NDArray base = y0.mul(w).add(x0).add(m.create(starts, perLevel)); // [..., L, P]
        NDArray index = NDArrays.stack(new NDList(base, base.add(1), base.add(w), base.add(w).add(1)), axis)
                .mul(valid.toType(DataType.INT64, false));
        NDArray fx = frac.get("..., 0");
        NDArray fy = frac.get("..., 1");
        NDArray gx = fx.neg().add(1);
        NDArray gy = fy.neg().add(1);
        NDArray weight = NDArrays.stack(new NDList(gx.mul(gy), fx.mul(gy), gx.mul(fy), fx.mul(fy)), axis)
                .mul(valid.toType(loc.getDataType(), false));
        return new BilinearCorners(index, weight);
    }
}
