package org.detrkd.detr.ops;

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
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.util.PairList;

import org.detrkd.detr.transformer.Layers;

/**
 * Multi-scale deformable attention ({@code MSDeformAttn}, Zhu et al., "Deformable DETR", ICLR 2021; reference
 * fundamentalvision/Deformable-DETR {@code models/ops/modules/ms_deform_attn.py}): each query attends to
 * {@code points} sampled locations per head and level around its reference point, with sampling offsets and attention
 * weights predicted from the query by linear layers.
 *
 * <p>Shapes: B batch, Q queries, S = sum of H_l * W_l flattened input positions, d model width, M heads, D = d / M,
 * L levels, P points. The sampling location is {@code ref + offset / (W_l, H_l)} for 2-d reference points, or
 * {@code ref_xy + offset / P * ref_wh * 0.5} for boxes (cx, cy, w, h); the sampling itself is {@link #core}.
 *
 * <p>Initialisation as the reference {@code _reset_parameters}: sampling-offset weights 0 and biases the direction grid
 * (cos, sin of 2 pi k / M, divided by the larger absolute component, times the point index 1..P), so initial samples
 * lie on rings around the reference point; attention-weight weights and biases 0 (uniform attention); value and
 * output projections xavier-uniform with bias 0.
 *
 * <p>Memory: every array created by {@link #apply} belongs to the query's manager (batch arrays come first), so the
 * model's manager does not grow from batch to batch.
 */
public final class MultiScaleDeformableAttention extends AbstractBlock {

    /** Sampled values and the quantities distillation or visualisation may read. */
    public record Result(
            NDArray output, // [B, Q, d]
            NDArray samplingLocations, // [B, Q, M, L, P, 2] (x, y) in [0, 1]
            NDArray attentionWeights) {} // [B, Q, M, L, P], softmax over L*P

    private final int dModel;
    private final int levels;
    private final int heads;
    private final int points;
    private final Linear samplingOffsets;
    private final Linear attentionWeights;
    private final Linear valueProj;
    private final Linear outputProj;

    /**
     * @param dModel model width d, divisible by {@code heads}
     * @param levels number of feature levels L
     * @param heads number of heads M
     * @param points sampling points P per head and level
     */
    public MultiScaleDeformableAttention(int dModel, int levels, int heads, int points) {
        if (dModel < 1 || levels < 1 || heads < 1 || points < 1 || dModel % heads != 0) {
            throw new IllegalArgumentException("need positive settings and d_model divisible by heads, got d_model "
                    + dModel + ", levels " + levels + ", heads " + heads + ", points " + points);
        }
        this.dModel = dModel;
        this.levels = levels;
        this.heads = heads;
        this.points = points;
        samplingOffsets = addChildBlock("sampling_offsets",
                Linear.builder().setUnits((long) heads * levels * points * 2).build());
        attentionWeights = addChildBlock("attention_weights",
                Linear.builder().setUnits((long) heads * levels * points).build());
        valueProj = addChildBlock("value_proj", Linear.builder().setUnits(dModel).build());
        outputProj = addChildBlock("output_proj", Linear.builder().setUnits(dModel).build());
        samplingOffsets.setInitializer(Initializer.ZEROS, Parameter.Type.WEIGHT);
        samplingOffsets.setInitializer((m, shape, type) -> m.create(directionGrid(heads, levels, points), shape)
                .toType(type, false), Parameter.Type.BIAS);
        attentionWeights.setInitializer(Initializer.ZEROS, Parameter.Type.WEIGHT);
        attentionWeights.setInitializer(Initializer.ZEROS, Parameter.Type.BIAS);
        Initializer xavier = new XavierInitializer(XavierInitializer.RandomType.UNIFORM,
                XavierInitializer.FactorType.AVG, 3);
        for (Linear proj : new Linear[] {valueProj, outputProj}) {
            proj.setInitializer(xavier, Parameter.Type.WEIGHT);
            proj.setInitializer(Initializer.ZEROS, Parameter.Type.BIAS);
        }
    }

    /**
     * The initial sampling-offset bias, flattened from {@code [M, L, P, 2]}: head k points along (cos, sin) of
     * {@code 2 pi k / M} divided by the larger absolute component, point p at {@code p + 1} times that.
     */
    static float[] directionGrid(int heads, int levels, int points) {
        float[] grid = new float[heads * levels * points * 2];
        int i = 0;
        for (int k = 0; k < heads; k++) {
            float theta = (float) (k * (2.0 * Math.PI / heads)); // float32 angles, as torch.arange(float32)
            double cos = Math.cos(theta);
            double sin = Math.sin(theta);
            double max = Math.max(Math.abs(cos), Math.abs(sin));
            for (int l = 0; l < levels; l++) {
                for (int p = 0; p < points; p++) {
                    grid[i++] = (float) (cos / max * (p + 1));
                    grid[i++] = (float) (sin / max * (p + 1));
                }
            }
        }
        return grid;
    }

    /**
     * Attends.
     *
     * @param query {@code [B, Q, d]} (content plus position embedding)
     * @param referencePoints {@code [B, Q, L, 2]} (x, y) in [0, 1], or {@code [B, Q, L, 4]} boxes (cx, cy, w, h)
     * @param input {@code [B, S, d]} the flattened levels
     * @param shapes the L level shapes, S = shapes.total()
     * @param paddingMask {@code [B, S]} boolean, true = padding (the value there is zeroed); or null
     * @return output {@code [B, Q, d]}, sampling locations and attention weights
     */
    public Result apply(ParameterStore ps, NDArray query, NDArray referencePoints, NDArray input, SpatialShapes shapes,
            NDArray paddingMask, boolean training) {
        Shape qs = query.getShape();
        long b = qs.get(0);
        long q = qs.get(1);
        long s = input.getShape().get(1);
        if (shapes.levels() != levels || shapes.total() != s) {
            throw new IllegalArgumentException("expected " + levels + " levels covering " + s + " positions, got "
                    + shapes);
        }
        NDArray value = Layers.apply(valueProj, ps, input, training); // [B, S, d]
        if (paddingMask != null) {
            value = value.mul(paddingMask.logicalNot().toType(value.getDataType(), false).expandDims(2));
        }
        value = value.reshape(b, s, heads, dModel / heads);
        NDArray offsets = Layers.apply(samplingOffsets, ps, query, training).reshape(b, q, heads, levels, points, 2);
        NDArray weights = Layers.apply(attentionWeights, ps, query, training).reshape(b, q, heads, levels * points)
                .softmax(3).reshape(b, q, heads, levels, points);
        NDArray locations = samplingLocations(referencePoints, offsets, shapes);
        NDArray out = core(value, shapes, locations, weights);
        return new Result(Layers.apply(outputProj, ps, out, training), locations, weights);
    }

    /**
     * @param ref {@code [B, Q, L, 2|4]}
     * @param offsets {@code [B, Q, M, L, P, 2]} in pixels of each level (2-d) or in units of P half-boxes (4-d)
     * @return {@code [B, Q, M, L, P, 2]} on the offsets' manager
     */
    private NDArray samplingLocations(NDArray ref, NDArray offsets, SpatialShapes shapes) {
        Shape rs = ref.getShape();
        long b = rs.get(0);
        long q = rs.get(1);
        long last = rs.get(rs.dimension() - 1);
        if (rs.dimension() != 4 || rs.get(2) != levels || (last != 2 && last != 4)) {
            throw new IllegalArgumentException("reference points must be [B, Q, L=" + levels + ", 2 or 4], got " + rs);
        }
        if (last == 2) {
            // a whole [L, P, 2] block: broadcasting over small inner axes is slow on torch's CPU kernels
            float[] norm = new float[2 * levels * points];
            for (int l = 0; l < levels; l++) {
                for (int p = 0; p < points; p++) {
                    norm[2 * (l * points + p)] = shapes.width(l);
                    norm[2 * (l * points + p) + 1] = shapes.height(l);
                }
            }
            NDManager m = offsets.getManager();
            NDArray normalizer = Scalars.array(m, norm, new Shape(levels, points, 2), offsets.getDataType());
            return offsets.div(normalizer).add(ref.reshape(b, q, 1, levels, 1, 2));
        }
        NDArray r = ref.reshape(b, q, 1, levels, 1, 4);
        NDArray xy = r.get(new NDIndex("..., :2"));
        NDArray wh = r.get(new NDIndex("..., 2:"));
        return Scalars.mul(offsets.mul(wh), 0.5 / points).add(xy);
    }

    /**
     * The sampling core, equal to Deformable DETR's {@code ms_deform_attn_core_pytorch} (which loops over levels
     * calling {@code grid_sample}). Small maps (the mini presets) take {@link TentSampling}'s dense path; otherwise
     * all levels, points and the four bilinear neighbours are gathered at once as rows of the {@code [N*S*M, D]}
     * value, and the weighted sum is one batched matrix product. Results are on the locations' manager.
     *
     * @param value {@code [N, S, M, D]}, levels flattened as in {@link SpatialShapes}
     * @param shapes the L level shapes
     * @param locations {@code [N, Lq, M, L, P, 2]} (x, y) in [0, 1]
     * @param weights {@code [N, Lq, M, L, P]} attention weights (used as given)
     * @return {@code [N, Lq, M*D]}
     */
    public static NDArray core(NDArray value, SpatialShapes shapes, NDArray locations, NDArray weights) {
        Shape vs = value.getShape();
        Shape ls = locations.getShape();
        long n = vs.get(0);
        long s = vs.get(1);
        long m = vs.get(2);
        long d = vs.get(3);
        if (vs.dimension() != 4 || s != shapes.total()) {
            throw new IllegalArgumentException("value must be [N, S=" + shapes.total() + ", M, D], got " + vs);
        }
        if (ls.dimension() != 6 || ls.get(0) != n || ls.get(2) != m || ls.get(3) != shapes.levels()
                || !weights.getShape().equals(ls.slice(0, 5))) {
            throw new IllegalArgumentException("locations must be [N, Lq, M, L, P, 2] and weights [N, Lq, M, L, P]"
                    + " matching value " + vs + " and " + shapes.levels() + " levels, got " + ls + " and "
                    + weights.getShape());
        }
        long lq = ls.get(1);
        long levels = ls.get(3);
        long points = ls.get(4);
        if (TentSampling.preferred(shapes, (int) points, d)) {
            // small maps: dense sampling matrices per (batch, head) instead of gathering rows
            NDArray v = value.transpose(0, 2, 1, 3).reshape(n * m, s, d);
            NDArray loc = locations.transpose(0, 2, 1, 3, 4, 5).reshape(n * m, lq, levels, points, 2);
            NDArray w = weights.transpose(0, 2, 1, 3, 4).reshape(n * m, lq, levels, points);
            return TentSampling.sample(v, shapes, loc, w).reshape(n, m, lq, d).transpose(0, 2, 1, 3)
                    .reshape(n, lq, m * d);
        }
        long k = levels * points * BilinearCorners.CORNERS;
        BilinearCorners c = BilinearCorners.compute(locations, shapes, weights); // [N, Lq, M, 4, L, P]
        NDManager mgr = locations.getManager();
        // row of value[n, s, m] in the [N*S*M, D] view: (n*S + s)*M + m
        NDArray batchRow = mgr.arange(0L, n * s * m, s * m, DataType.INT64).reshape(n, 1, 1, 1, 1, 1);
        NDArray headRow = mgr.arange(0L, m, 1L, DataType.INT64).reshape(1, 1, m, 1, 1, 1);
        NDArray rows = c.index().mul(m).add(batchRow.add(headRow)).reshape(-1);
        // Advanced indexing of rows. torch.gather with a broadcast index was 20-30 % faster forward, but its
        // scatter-add backward made forward + backward 15-20 % slower at mini sizes (D = 16), and only 4 % faster
        // at the paper's decoder size (D = 32).
        NDArray sampled = value.reshape(n * s * m, d).get(new NDIndex("{}", rows)).reshape(n * lq * m, k, d);
        NDArray w = c.weight().reshape(n * lq * m, 1, k);
        return w.matMul(sampled).reshape(n, lq, m * d);
    }

    /** @return d, L, M, P */
    public int[] settings() {
        return new int[] {dModel, levels, heads, points};
    }

    /**
     * Inputs {@code (query, referencePoints, input[, paddingMask])} with the level shapes as the parameter
     * {@code "spatial_shapes"} (a {@link SpatialShapes}); outputs {@code (output, samplingLocations,
     * attentionWeights)}.
     */
    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> p) {
        Object shapes = p == null ? null : p.get("spatial_shapes");
        if (!(shapes instanceof SpatialShapes spatial)) {
            throw new IllegalArgumentException("pass the level shapes as parameter \"spatial_shapes\" (SpatialShapes)");
        }
        Result r = apply(ps, in.get(0), in.get(1), in.get(2), spatial, in.size() > 3 ? in.get(3) : null, training);
        return new NDList(r.output(), r.samplingLocations(), r.attentionWeights());
    }

    @Override
    public Shape[] getOutputShapes(Shape[] in) {
        long b = in[0].get(0);
        long q = in[0].get(1);
        return new Shape[] {new Shape(b, q, dModel), new Shape(b, q, heads, levels, points, 2),
            new Shape(b, q, heads, levels, points)};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape s = new Shape(1, 1, dModel);
        samplingOffsets.initialize(manager, dataType, s);
        attentionWeights.initialize(manager, dataType, s);
        valueProj.initialize(manager, dataType, s);
        outputProj.initialize(manager, dataType, s);
    }
}
