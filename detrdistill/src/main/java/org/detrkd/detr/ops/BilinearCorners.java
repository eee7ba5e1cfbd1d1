package org.detrkd.detr.ops;

import org.detrkd.detr.util.Scalars;
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
 * With {@code x0 = floor(ix)}, {@code fx = ix - x0} (and the same for y) the neighbours are, in this order along the
 * corner axis (placed before the level axis), {@code (x0, y0), (x0 + 1, y0), (x0, y0 + 1), (x0 + 1, y0 + 1)} with
 * weights {@code (1-fx)(1-fy), fx(1-fy), (1-fx)fy, fx fy}. A neighbour outside the map contributes nothing: its weight
 * is multiplied by 0 and its position is clamped into the map (a valid position, so a gather never goes out of range).
 * The floor is taken on a detached copy, so the weights carry the gradient with respect to the locations; at an
 * integer ix this is the one-sided derivative with {@code x0 = floor(ix)}, as torch's.
 *
 * @param index {@code [..., 4, L, P]} int64: flattened position {@code start(l) + y * W_l + x} of each neighbour over
 *     all levels (for a neighbour outside its map, some position of the same map)
 * @param weight {@code [..., 4, L, P]} the bilinear weight of each neighbour, 0 outside the map; differentiable with
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
     * @return neighbour positions and weights {@code [..., 4, L, P]}
     */
    public static BilinearCorners compute(NDArray loc, SpatialShapes shapes) {
        return compute(loc, shapes, null);
    }

    /**
     * Computes the neighbours, with the weights multiplied by a per-location factor (the attention weights of
     * deformable attention; multiplying here avoids a slow broadcast over the 4 neighbours later).
     *
     * @param loc {@code [..., L, P, 2]} (x, y) in [0, 1] per level
     * @param shapes the L level shapes
     * @param scale {@code [..., L, P]} factor per location, or null for 1
     * @return neighbour positions and weights {@code [..., 4, L, P]}, on the locations' manager
     */
    public static BilinearCorners compute(NDArray loc, SpatialShapes shapes, NDArray scale) {
        Shape s = loc.getShape();
        int dims = s.dimension();
        int levels = shapes.levels();
        if (dims < 3 || s.get(dims - 1) != 2 || s.get(dims - 3) != levels) {
            throw new IllegalArgumentException("locations must be [..., L=" + levels + ", P, 2], got " + s);
        }
        int points = (int) s.get(dims - 2);
        NDManager m = loc.getManager();
        DataType type = loc.getDataType();
        // Constants span whole [L, P(, 2)] blocks rather than broadcasting over P and x/y: torch's CPU kernels are
        // several times slower on small broadcast inner axes.
        Shape lp = new Shape(levels, points);
        Shape lp2 = new Shape(levels, points, 2);
        float[] size = new float[levels * points * 2];
        float[] limit = new float[size.length]; // W - 1, H - 1
        float[] widths = new float[levels * points];
        float[] starts = new float[widths.length];
        for (int l = 0; l < levels; l++) {
            for (int p = 0; p < points; p++) {
                int i = l * points + p;
                size[2 * i] = shapes.width(l);
                size[2 * i + 1] = shapes.height(l);
                limit[2 * i] = shapes.width(l) - 1;
                limit[2 * i + 1] = shapes.height(l) - 1;
                widths[i] = shapes.width(l);
                starts[i] = shapes.start(l);
            }
        }
        NDArray pix = loc.mul(Scalars.array(m, size, lp2, type)).sub(0.5);
        NDArray cell = pix.stopGradient().floor(); // integral values, no gradient
        NDArray frac = pix.sub(cell); // [..., L, P, 2], carries d/dloc
        NDArray last = Scalars.array(m, limit, lp2, type);
        // per axis: neighbour 0 at cell, neighbour 1 at cell + 1, each valid when clamping into [0, size - 1] keeps it
        NDArray c0 = cell.maximum(0).minimum(last);
        NDArray next = cell.add(1);
        NDArray c1 = next.maximum(0).minimum(last);
        NDArray w0 = frac.neg().add(1).mul(c0.eq(cell).toType(type, false));
        NDArray w1 = frac.mul(c1.eq(next).toType(type, false));
        NDArray wy0 = w0.get("..., 1");
        NDArray wy1 = w1.get("..., 1");
        if (scale != null) {
            wy0 = wy0.mul(scale);
            wy1 = wy1.mul(scale);
        }
        NDArray wx0 = w0.get("..., 0");
        NDArray wx1 = w1.get("..., 0");
        // stacking before the L axis copies whole blocks (stacking last would interleave)
        int axis = dims - 3;
        NDArray weight = NDArrays.stack(new NDList(wy0.mul(wx0), wy0.mul(wx1), wy1.mul(wx0), wy1.mul(wx1)), axis);
        // positions: exact in float32 below 2^24, otherwise computed in int64
        boolean exact = type == DataType.FLOAT64 || shapes.total() < (1 << 24);
        if (!exact) {
            c0 = c0.toType(DataType.INT64, false);
            c1 = c1.toType(DataType.INT64, false);
        }
        NDArray width = Scalars.array(m, widths, lp, c0.getDataType());
        NDArray start = Scalars.array(m, starts, lp, c0.getDataType());
        NDArray row0 = c0.get("..., 1").mul(width).add(start);
        NDArray row1 = c1.get("..., 1").mul(width).add(start);
        NDArray x0 = c0.get("..., 0");
        NDArray x1 = c1.get("..., 0");
        NDArray index = NDArrays.stack(new NDList(row0.add(x0), row0.add(x1), row1.add(x0), row1.add(x1)), axis)
                .toType(DataType.INT64, false);
        return new BilinearCorners(index, weight);
    }
}
