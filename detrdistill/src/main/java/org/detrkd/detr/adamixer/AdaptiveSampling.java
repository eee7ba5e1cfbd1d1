package org.detrkd.detr.adamixer;

import org.detrkd.detr.util.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;

import org.detrkd.detr.ops.BilinearCorners;
import org.detrkd.detr.ops.TentSampling;
import org.detrkd.detr.ops.SpatialShapes;
import org.detrkd.detr.transformer.Layers;

/**
 * AdaMixer's adaptive 3D feature sampling ({@code make_sample_points} + {@code sampling_3d}): per query and group,
 * {@code P_in} points whose offsets {@code (dx, dy, dz)} are generated from the query content by a linear layer. A
 * point is at {@code (x + dx w, y + dy h)} in pixels (w, h the query box size) and at scale {@code z + dz}; it is
 * sampled bilinearly on every level l at {@code xy / (W_l stride_l, H_l stride_l)} ({@code grid_sample(bilinear,
 * zeros, align_corners=False)} convention, see {@link BilinearCorners}) and the levels are summed with the weights
 * {@link Xyzr#levelWeights} (softmax over levels of {@code -(z - log2 stride)^2 / 2}). Group k reads channels
 * {@code [k C_g, (k + 1) C_g)} of every level.
 *
 * <p>All levels, points and the four bilinear neighbours are gathered at once from the flattened {@code [B, S, d]}
 * value (as {@code MultiScaleDeformableAttention.core}), the level weights being folded into the bilinear weights.
 *
 * <p>Initialisation as AdaMixer: generator weight 0, bias (dx, dy) uniform in [-0.5, 0.5] and dz 0, so the initial
 * points spread over the query box at the box's own scale.
 */
public final class AdaptiveSampling extends AbstractBlock {

    /** The level temperature tau of AdaMixer. */
    public static final double TAU = 2.0;

    private final int dModel;
    private final int groups;
    private final int points;
    private final Linear offsetGenerator;

    /**
     * @param dModel model width d
     * @param groups sampling groups g, dividing d
     * @param points points per group P_in
     */
    public AdaptiveSampling(int dModel, int groups, int points) {
        this.dModel = dModel;
        this.groups = groups;
        this.points = points;
        offsetGenerator = addChildBlock("offset_generator",
                Linear.builder().setUnits((long) groups * points * 3).build());
        offsetGenerator.setInitializer(Initializer.ZEROS, Parameter.Type.WEIGHT);
        offsetGenerator.setInitializer((m, shape, type) -> m.randomUniform(-0.5f, 0.5f, new Shape(groups * points, 3),
                type).mul(m.create(new float[] {1f, 1f, 0f}).toType(type, false)).reshape(shape),
                Parameter.Type.BIAS);
    }

    /** @return the offset generator (its learning rate may be reduced, as Deformable DETR's sampling offsets) */
    public Linear offsetGenerator() {
        return offsetGenerator;
    }

    /**
     * Samples.
     *
     * @param content {@code [B, N, d]} query content
     * @param xyzr {@code [B, N, 4]} query positions
     * @param value {@code [B, S, d]} the levels flattened row-major, level after level as {@code shapes}
     * @param shapes level shapes
     * @param strides level strides
     * @return {@code [B, N, g, P_in, C_g]} sampled features, on the content's manager
     */
    public NDArray apply(ParameterStore ps, NDArray content, NDArray xyzr, NDArray value, SpatialShapes shapes,
            int[] strides, boolean training) {
        Shape cs = content.getShape();
        long b = cs.get(0);
        long n = cs.get(1);
        NDArray offset = Layers.apply(offsetGenerator, ps, content, training).reshape(b, n, groups, points, 3);
        NDArray wh = Xyzr.pixelSizes(xyzr).reshape(b, n, 1, 1, 2);
        NDArray xy = xyzr.get("..., :2").reshape(b, n, 1, 1, 2).add(offset.get("..., :2").mul(wh)); // [B,N,g,P,2]
        NDArray z = xyzr.get("..., 2").reshape(b, n, 1, 1).add(offset.get("..., 2")); // [B, N, g, P]
        NDArray levelWeights = Xyzr.levelWeights(z, strides, TAU).transpose(0, 1, 2, 4, 3); // [B, N, g, L, P]
        return sample(value, shapes, strides, xy, levelWeights);
    }

    /**
     * The sampling core.
     *
     * @param value {@code [B, S, d]} with {@code d = g C_g}
     * @param shapes the L level shapes
     * @param strides the L level strides
     * @param xy {@code [B, N, g, P, 2]} point positions in pixels
     * @param levelWeights {@code [B, N, g, L, P]}
     * @return {@code [B, N, g, P, C_g]}
     */
    public static NDArray sample(NDArray value, SpatialShapes shapes, int[] strides, NDArray xy, NDArray levelWeights) {
        Shape ps = xy.getShape();
        long b = ps.get(0);
        long n = ps.get(1);
        long g = ps.get(2);
        long p = ps.get(3);
        int levels = shapes.levels();
        long s = value.getShape().get(1);
        long cg = value.getShape().get(2) / g;
        NDManager m = xy.getManager();
        float[] extent = new float[levels * 2];
        for (int l = 0; l < levels; l++) {
            extent[2 * l] = (float) shapes.width(l) * strides[l];
            extent[2 * l + 1] = (float) shapes.height(l) * strides[l];
        }
        NDArray mapping = Scalars.array(m, extent, new Shape(levels, 1, 2), xy.getDataType());
        NDArray loc = xy.reshape(b, n, g, 1, p, 2).div(mapping); // [B, N, g, L, P, 2] in [0, 1]
        if (TentSampling.preferred(shapes, 1, cg)) {
            // small maps: one dense sampling matrix per (image, group) over its N*P points, summing the levels
            NDArray v = value.reshape(b, s, g, cg).transpose(0, 2, 1, 3).reshape(b * g, s, cg);
            NDArray l = loc.transpose(0, 2, 1, 4, 3, 5).reshape(b * g, n * p, levels, 1, 2);
            NDArray w = levelWeights.transpose(0, 2, 1, 4, 3).reshape(b * g, n * p, levels, 1);
            return TentSampling.sample(v, shapes, l, w).reshape(b, g, n, p, cg).transpose(0, 2, 1, 3, 4);
        }
        BilinearCorners c = BilinearCorners.compute(loc, shapes, levelWeights); // [B, N, g, 4, L, P]
        // per point, its 4 L neighbours: [B, N, g, P, 4, L]
        NDArray index = c.index().transpose(0, 1, 2, 5, 3, 4);
        NDArray weight = c.weight().transpose(0, 1, 2, 5, 3, 4).reshape(b * n * g * p, 4L * levels, 1);
        // row of value[b, s, group] in the [B*S*g, C_g] view: (b*S + s)*g + group
        NDArray batchRow = m.arange(0L, b * s * g, s * g, DataType.INT64).reshape(b, 1, 1, 1, 1, 1);
        NDArray groupRow = m.arange(0L, g, 1L, DataType.INT64).reshape(1, 1, g, 1, 1, 1);
        NDArray rows = index.mul(g).add(batchRow.add(groupRow)).reshape(-1);
        NDArray sampled = value.reshape(b * s * g, cg).get(new NDIndex("{}", rows)).reshape(b * n * g * p,
                4L * levels, cg);
        // multiply and sum rather than a batched [1, 4L] x [4L, C_g] product: with one tiny matrix per point, the
        // batched product's backward was about 3x slower on the CPU (mini sizes, 1 thread)
        return sampled.mul(weight).sum(new int[] {1}).reshape(b, n, g, p, cg);
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> p) {
        throw new IllegalStateException("use apply(...): the level shapes and strides are Java values");
    }

    @Override
    public Shape[] getOutputShapes(Shape[] in) {
        return new Shape[] {new Shape(in[0].get(0), in[0].get(1), groups, points, dModel / groups)};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        offsetGenerator.initialize(manager, dataType, new Shape(1, 1, dModel));
    }
}
