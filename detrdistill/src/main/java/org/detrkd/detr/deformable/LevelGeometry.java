package org.detrkd.detr.deformable;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import org.detrkd.detr.ops.SpatialShapes;
import org.detrkd.detr.transformer.PositionEmbeddingSine;
import org.detrkd.detr.util.Scalars;

import java.util.List;

/**
 * Per-level geometry of Deformable DETR's multi-scale input (reference {@code deformable_transformer.py}): valid
 * ratios of padded maps, the encoder's reference points, the level-wise sine position embedding, and flattening of
 * the levels into one sequence ({@link SpatialShapes} order). Nothing here needs a gradient: everything is derived
 * from the padding masks. Results live on the masks' (batch) manager.
 */
final class LevelGeometry {

    private LevelGeometry() {}

    /**
     * {@code get_valid_ratio}: the unpadded fraction of a map's width and height, read from its first row / column.
     *
     * @param masks L masks {@code [B, H_l, W_l]}, true = padding
     * @return {@code [B, L, 2]} (width ratio, height ratio)
     */
    static NDArray validRatios(List<NDArray> masks) {
        NDList per = new NDList();
        for (NDArray m : masks) {
            Shape s = m.getShape();
            NDArray valid = m.logicalNot().toType(DataType.FLOAT32, false);
            NDArray h = valid.get(":, :, 0").sum(new int[] {1}); // [B]
            h = Scalars.div(h, s.get(1));
            NDArray w = Scalars.div(valid.get(":, 0, :").sum(new int[] {1}), s.get(2));
            per.add(NDArrays.stack(new NDList(w, h), 1)); // [B, 2]
        }
        return NDArrays.stack(per, 1);
    }

    /**
     * {@code get_reference_points}: the pixel centres {@code ((x + 0.5) / (r_w W_l), (y + 0.5) / (r_h H_l))} of every
     * level, i.e. normalised to the level's valid region.
     *
     * @param shapes the level shapes
     * @param validRatios {@code [B, L, 2]}
     * @return {@code [B, S, 2]} (x, y)
     */
    static NDArray encoderReferencePoints(SpatialShapes shapes, NDArray validRatios) {
        NDManager mgr = validRatios.getManager();
        long b = validRatios.getShape().get(0);
        float[] grid = new float[2 * shapes.total()];
        int i = 0;
        NDList ratios = new NDList();
        for (int l = 0; l < shapes.levels(); l++) {
            int h = shapes.height(l);
            int w = shapes.width(l);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    grid[i++] = (x + 0.5f) / w;
                    grid[i++] = (y + 0.5f) / h;
                }
            }
            ratios.add(validRatios.get(":, " + l + ":" + (l + 1) + ", :").broadcast(b, (long) h * w, 2));
        }
        NDArray g = Scalars.array(mgr, grid, new Shape(1, shapes.total(), 2), validRatios.getDataType());
        return g.div(NDArrays.concat(ratios, 1));
    }

    /**
     * Scales normalised reference points into each level's valid region: {@code ref[:, :, None] * ratios[:, None]}.
     *
     * @param ref {@code [B, N, 2]} points or {@code [B, N, 4]} boxes
     * @param validRatios {@code [B, L, 2]}
     * @return {@code [B, N, L, 2|4]}
     */
    static NDArray perLevel(NDArray ref, NDArray validRatios) {
        NDArray r = validRatios;
        if (ref.getShape().getLastDimension() == 4) {
            r = r.concat(r, 2);
        }
        return ref.expandDims(2).mul(r.expandDims(1));
    }

    /**
     * The sine position embedding of Deformable DETR's backbone ({@code PositionEmbeddingSine(normalize=True)}): as
     * DETR's but with the half-pixel offset {@code (cumsum - 0.5) / (last + 1e-6) * 2 pi}.
     *
     * @param mask {@code [B, H, W]} true = padding
     * @param embedding the sine embedding (d / 2 features per axis, temperature 10000)
     * @return {@code [B, H * W, d]} (y features then x features), row-major
     */
    static NDArray sineEmbedding(NDArray mask, PositionEmbeddingSine embedding) {
        Shape s = mask.getShape();
        NDArray notMask = mask.logicalNot().toType(DataType.FLOAT32, false);
        NDArray y = notMask.cumSum(1);
        NDArray x = notMask.cumSum(2);
        y = y.sub(0.5f).div(y.get(":, -1:, :").add(1e-6f));
        x = x.sub(0.5f).div(x.get(":, :, -1:").add(1e-6f));
        NDArray points = NDArrays.stack(new NDList(x, y), 3).reshape(s.get(0), s.get(1) * s.get(2), 2);
        return embedding.embedPoints(points);
    }

    /**
     * @param maps L maps {@code [B, C, H_l, W_l]}
     * @return {@code [B, S, C]}, levels concatenated, each row-major
     */
    static NDArray flattenMaps(List<NDArray> maps) {
        NDList flat = new NDList();
        for (NDArray m : maps) {
            Shape s = m.getShape();
            flat.add(m.reshape(s.get(0), s.get(1), s.get(2) * s.get(3)).transpose(0, 2, 1));
        }
        return flat.size() == 1 ? flat.get(0) : NDArrays.concat(flat, 1);
    }

    /**
     * @param masks L masks {@code [B, H_l, W_l]}
     * @return {@code [B, S]}
     */
    static NDArray flattenMasks(List<NDArray> masks) {
        NDList flat = new NDList();
        for (NDArray m : masks) {
            Shape s = m.getShape();
            flat.add(m.reshape(s.get(0), s.get(1) * s.get(2)));
        }
        return flat.size() == 1 ? flat.get(0) : NDArrays.concat(flat, 1);
    }

    /** @return the shapes of L maps {@code [B, C, H_l, W_l]} */
    static SpatialShapes shapesOf(List<NDArray> maps) {
        int[] hw = new int[2 * maps.size()];
        for (int l = 0; l < maps.size(); l++) {
            hw[2 * l] = (int) maps.get(l).getShape().get(2);
            hw[2 * l + 1] = (int) maps.get(l).getShape().get(3);
        }
        return SpatialShapes.of(hw);
    }
}
