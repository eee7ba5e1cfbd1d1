package org.detrkd.detr.ops;

import org.detrkd.detr.util.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Bilinear point sampling of a feature map, equal to {@code torch.nn.functional.grid_sample(value, grid,
 * mode='bilinear', padding_mode='zeros', align_corners=False)} (which DJL lacks), with the sampling locations given
 * in [0, 1] image coordinates: {@code grid = 2 * loc - 1}. The conventions (source coordinate {@code x * W - 0.5},
 * zero contribution from neighbours outside the map, one-sided gradient at integer coordinates) are those of
 * {@link BilinearCorners}.
 *
 * <p>Built from floor, validity masks and gathers on the flattened {@code [N, C, H*W]} map: the four neighbour gathers
 * are done as one gather over their concatenated positions. Gradients with respect to the map and to the locations
 * flow through ordinary autograd. Results are on the value's manager: pass a batch array (a feature map), not a
 * parameter, or the results attach to the model's manager.
 */
public final class BilinearSampler {

    private BilinearSampler() {}

    /**
     * Samples {@code value} at (x, y) locations in [0, 1].
     *
     * @param value {@code [N, C, H, W]}
     * @param loc {@code [N, P, 2]} or {@code [N, Hg, Wg, 2]}, last axis (x, y) with x along the width
     * @return {@code [N, C, P]} or {@code [N, C, Hg, Wg]} (the latter is grid_sample's layout)
     */
    public static NDArray sample(NDArray value, NDArray loc) {
        Shape vs = value.getShape();
        Shape ls = loc.getShape();
        if (vs.dimension() != 4) {
            throw new IllegalArgumentException("value must be [N, C, H, W], got " + vs);
        }
        if ((ls.dimension() != 3 && ls.dimension() != 4) || ls.get(0) != vs.get(0)
                || ls.get(ls.dimension() - 1) != 2) {
            throw new IllegalArgumentException("locations must be [N, P, 2] or [N, Hg, Wg, 2] with N = " + vs.get(0)
                    + ", got " + ls);
        }
        long n = vs.get(0);
        long c = vs.get(1);
        int h = (int) vs.get(2);
        int w = (int) vs.get(3);
        long p = ls.size() / (2 * n);
        BilinearCorners corners = BilinearCorners.compute(loc.reshape(n, 1, p, 2), SpatialShapes.of(h, w));
        NDArray index = corners.index().reshape(n, 1, p * BilinearCorners.CORNERS)
                .broadcast(new Shape(n, c, p * BilinearCorners.CORNERS));
        NDArray neighbours = value.reshape(n, c, (long) h * w).gather(index, 2)
                .reshape(n, c, BilinearCorners.CORNERS, p);
        NDArray out = neighbours.mul(corners.weight().reshape(n, 1, BilinearCorners.CORNERS, p)).sum(new int[] {2});
        return ls.dimension() == 4 ? out.reshape(n, c, ls.get(1), ls.get(2)) : out;
    }

    /**
     * {@code grid_sample} with torch's grid convention, for ports of code that builds grids in [-1, 1].
     *
     * @param value {@code [N, C, H, W]}
     * @param grid {@code [N, Hg, Wg, 2]} (x, y) in [-1, 1], -1 and 1 being the outer edges of the border pixels
     * @return {@code [N, C, Hg, Wg]}
     */
    public static NDArray gridSample(NDArray value, NDArray grid) {
        return sample(value, Scalars.mul(grid.add(1), 0.5));
    }
}
