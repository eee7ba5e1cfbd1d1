package org.detrkd.detr.transformer;

import org.detrkd.detr.util.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * The 2-d sine position embedding of DETR ({@code PositionEmbeddingSine}, Carion et al. 2020) and its point form used
 * by Conditional DETR's spatial queries ({@code gen_sineembed_for_position}, Meng et al. 2021).
 *
 * <p>For a coordinate {@code c} and feature index {@code i < numPosFeats}: channel {@code i} is {@code sin(c / T^(2
 * floor(i/2) / numPosFeats))} for even {@code i} and {@code cos(...)} for odd {@code i}, {@code T = temperature}. The
 * embedding concatenates the y features then the x features, {@code 2 * numPosFeats} channels in all.
 *
 * <p>Map form: {@code c} is the 1-based count of non-padded pixels up to this one along the axis (cumulative sum of
 * the inverted padding mask), normalised by the count at the last row/column (plus 1e-6) and multiplied by {@code
 * 2 pi}, exactly as DETR (no half-pixel offset). Point form: {@code c = 2 pi * x} for normalised coordinates.
 */
public final class PositionEmbeddingSine {

    /** DETR's scale for normalised positions. */
    public static final double SCALE = 2 * Math.PI;
    /** DETR's temperature. */
    public static final double TEMPERATURE = 10000;

    private final int numPosFeats;
    private final double temperature;

    /**
     * @param numPosFeats features per coordinate (half the model dimension), even
     * @param temperature the frequency base, 10000 in DETR
     */
    public PositionEmbeddingSine(int numPosFeats, double temperature) {
        if (numPosFeats < 2 || numPosFeats % 2 != 0) {
            throw new IllegalArgumentException("numPosFeats must be even and >= 2, got " + numPosFeats);
        }
        this.numPosFeats = numPosFeats;
        this.temperature = temperature;
    }

    /** @return the embedding for model dimension {@code dModel} (numPosFeats = dModel / 2, temperature 10000) */
    public static PositionEmbeddingSine forModelDim(int dModel) {
        return new PositionEmbeddingSine(dModel / 2, TEMPERATURE);
    }

    /** @return the output channel count, {@code 2 * numPosFeats} */
    public int dim() {
        return 2 * numPosFeats;
    }

    /**
     * Embeds every position of a feature map.
     *
     * @param mask {@code [B, H, W]} boolean, true = padding
     * @return {@code [B, H * W, 2 * numPosFeats]} float, positions in row-major order ({@code h * W + w}), on the
     *     mask's manager
     */
    public NDArray embedMap(NDArray mask) {
        Shape s = mask.getShape();
        NDArray notMask = mask.logicalNot().toType(DataType.FLOAT32, false);
        NDArray y = notMask.cumSum(1); // [B, H, W]
        NDArray x = notMask.cumSum(2);
        double eps = 1e-6;
        y = Scalars.mul(y.div(y.get(":, -1:, :").add(eps)), SCALE);
        x = Scalars.mul(x.div(x.get(":, :, -1:").add(eps)), SCALE);
        NDArray dimT = frequencies(mask.getManager());
        NDArray posY = interleave(y.expandDims(3).div(dimT)); // [B, H, W, F]
        NDArray posX = interleave(x.expandDims(3).div(dimT));
        return posY.concat(posX, 3).reshape(s.get(0), s.get(1) * s.get(2), dim());
    }

    /**
     * Embeds normalised points.
     *
     * @param points {@code [B, Q, 2]} (x, y) in [0, 1]
     * @return {@code [B, Q, 2 * numPosFeats]} (y features, then x features), on the points' manager
     */
    public NDArray embedPoints(NDArray points) {
        NDArray dimT = frequencies(points.getManager());
        NDArray x = Scalars.mul(points.get(":, :, 0:1"), SCALE); // [B, Q, 1]
        NDArray y = Scalars.mul(points.get(":, :, 1:2"), SCALE);
        return interleave(y.div(dimT)).concat(interleave(x.div(dimT)), 2);
    }

    /** @return {@code [numPosFeats]} with {@code T^(2 floor(i/2) / numPosFeats)} */
    private NDArray frequencies(NDManager manager) {
        float[] f = new float[numPosFeats];
        for (int i = 0; i < numPosFeats; i++) {
            f[i] = (float) Math.pow(temperature, 2.0 * (i / 2) / numPosFeats);
        }
        return Scalars.array(manager, f, new Shape(f.length), DataType.FLOAT32);
    }

    /** sin on even, cos on odd indices of the last axis. */
    private static NDArray interleave(NDArray pos) {
        Shape s = pos.getShape();
        int last = s.dimension() - 1;
        NDArray sin = pos.get("..., 0::2").sin();
        NDArray cos = pos.get("..., 1::2").cos();
        return NDArrays.stack(new ai.djl.ndarray.NDList(sin, cos), last + 1).reshape(s);
    }
}
