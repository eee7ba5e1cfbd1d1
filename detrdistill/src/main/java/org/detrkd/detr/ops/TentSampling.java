package org.detrkd.detr.ops;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;

import org.detrkd.detr.util.Scalars;

/**
 * Weighted bilinear sampling of small multi-level maps as dense matrix products: the fast path of
 * {@link MultiScaleDeformableAttention#core} and of AdaMixer's adaptive sampling when the maps are small (the mini
 * presets: 128-pixel images, a few hundred positions in all levels).
 *
 * <p>Computes {@code out[g, r] = sum_{l, p} weight[g, r, l, p] * bilinear(value_l[g], loc[g, r, l, p])} with the
 * convention of {@code grid_sample(bilinear, padding zeros, align_corners False)} ({@link BilinearCorners}). The
 * bilinear weight of pixel (y, x) for a source coordinate (iy, ix) is the product of two tents,
 * {@code relu(1 - |y - iy|) * relu(1 - |x - ix|)}, which is exactly the four-neighbour weight (and 0 for every
 * other pixel, and for the neighbours outside the map: zero padding). So the sampling matrix of level l,
 * {@code A_l[g, r, (y, x)] = sum_p w_p ty_p[y] tx_p[x]}, is one batched product {@code [H_l, P] x [P, W_l]} per row,
 * and the output is {@code concat_l(A_l) @ value}: no gather, no scatter-add in the backward pass, and nothing of size
 * {@code rows x corners x channels} kept for it.
 *
 * <p>Gradients: with respect to the value and the weights they equal the gather path's; with respect to the locations
 * they equal it except at exactly integral source coordinates, where the tent's derivative is 0 (torch's
 * {@code abs'(0)}) instead of the one-sided derivative of {@code floor}: a set of measure zero that the training
 * never meets in practice (tested against the gather path and against finite differences).
 *
 * <p>Cost: about {@code rows x S x (D + 4P)} multiply-adds against the gather path's {@code rows x 4LP x D} moved
 * elements, each of which costs about 20 times a dense multiply-add on this CPU (measured: 21 with the mini encoder,
 * see {@link #preferred}). At paper size (S ~ 18,000) the dense matrix would not even fit; there the gather path
 * stays.
 */
public final class TentSampling {

    /**
     * The measured cost of a gathered (and scatter-added) element relative to a dense multiply-add: mini Deformable
     * encoder layer (batch 16, 340 queries, 4 heads of 32 channels, 4 levels x 4 points, one thread): gather path 290
     * ms forward + backward for 44.6 M gathered elements, tent path 110 ms for 355 M dense units.
     */
    static final double GATHER_COST = 21;

    /**
     * System property forcing one path for measurements and tests: {@code dense}, {@code gather}, or {@code auto}
     * (the default: {@link #preferred}'s cost model).
     */
    public static final String PATH_PROPERTY = "detrkd.sampling";

    private TentSampling() {}

    /**
     * @param shapes the level shapes
     * @param points sampling points per row and level
     * @param channels channels D per sampled vector
     * @return whether to take the dense tent path: the system property {@link #PATH_PROPERTY} if set to {@code dense}
     *     or {@code gather}, otherwise whether the dense path is expected to be faster for these sizes
     */
    public static boolean preferred(SpatialShapes shapes, int points, long channels) {
        String forced = System.getProperty(PATH_PROPERTY, "auto");
        if (forced.equals("dense") || forced.equals("gather")) {
            return forced.equals("dense");
        }
        double dense = (double) shapes.total() * (channels + 4.0 * points);
        double gather = GATHER_COST * 4.0 * shapes.levels() * points * channels;
        return dense < gather;
    }

    /**
     * Samples.
     *
     * @param value {@code [G, S, D]} the levels flattened as {@link SpatialShapes} (G = batch x heads or groups)
     * @param shapes the L level shapes, {@code S = shapes.total()}
     * @param loc {@code [G, R, L, P, 2]} (x, y) in [0, 1] over each level's extent
     * @param weight {@code [G, R, L, P]} the weight of each sample
     * @return {@code [G, R, D]} on the locations' manager
     */
    public static NDArray sample(NDArray value, SpatialShapes shapes, NDArray loc, NDArray weight) {
        Shape vs = value.getShape();
        Shape ls = loc.getShape();
        int levels = shapes.levels();
        if (vs.dimension() != 3 || vs.get(1) != shapes.total()) {
            throw new IllegalArgumentException("value must be [G, S=" + shapes.total() + ", D], got " + vs);
        }
        if (ls.dimension() != 5 || ls.get(0) != vs.get(0) || ls.get(2) != levels || ls.get(4) != 2
                || !weight.getShape().equals(ls.slice(0, 4))) {
            throw new IllegalArgumentException("locations must be [G, R, L=" + levels + ", P, 2] and weights "
                    + "[G, R, L, P] with G = " + vs.get(0) + ", got " + ls + " and " + weight.getShape());
        }
        long g = ls.get(0);
        long r = ls.get(1);
        NDManager m = loc.getManager();
        NDList matrices = new NDList(levels);
        for (int l = 0; l < levels; l++) {
            int h = shapes.height(l);
            int w = shapes.width(l);
            NDArray at = loc.get(":, :, " + l); // [G, R, P, 2]
            NDArray tx = tents(Scalars.mul(at.get("..., 0"), w).sub(0.5), w, m); // [G, R, P, W]
            NDArray ty = tents(Scalars.mul(at.get("..., 1"), h).sub(0.5), h, m) // [G, R, P, H]
                    .mul(weight.get(":, :, " + l).expandDims(3));
            matrices.add(ty.transpose(0, 1, 3, 2).matMul(tx).reshape(g, r, (long) h * w)); // [G, R, H*W]
        }
        NDArray a = levels == 1 ? matrices.get(0) : NDArrays.concat(matrices, 2); // [G, R, S]
        return a.matMul(value);
    }

    /** {@code relu(1 - |k - c|)} for k = 0 .. n-1: {@code [..., n]} from source coordinates {@code c [...]}. */
    private static NDArray tents(NDArray c, int n, NDManager m) {
        NDArray grid = m.arange(0f, (float) n, 1f, c.getDataType()); // libtorch-owned
        return Activation.relu(c.expandDims(c.getShape().dimension()).sub(grid).abs().neg().add(1));
    }
}
