package org.detrkd.detr.deformable;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;

import org.detrkd.detr.ops.MultiScaleDeformableAttention;
import org.detrkd.detr.ops.SpatialShapes;
import org.detrkd.detr.transformer.Ffn;
import org.detrkd.detr.transformer.Layers;

/**
 * Deformable DETR's encoder layer ({@code DeformableTransformerEncoderLayer}), post-norm: multi-scale deformable
 * self-attention with query {@code src + pos} around the pixel's reference point, then the FFN:
 * {@code src = norm1(src + dropout(msda(src + pos, ref, src)))}; {@code src = norm2(src + dropout(ffn(src)))}.
 *
 * <p>Shapes: {@code src, pos [B, S, d]}, reference points {@code [B, S, L, 2]}, padding mask {@code [B, S]}.
 */
public final class DeformableEncoderLayer extends AbstractBlock {

    private final int dModel;
    private final float dropout;
    private final MultiScaleDeformableAttention selfAttn;
    private final LayerNorm norm1;
    private final Ffn ffn;
    private final LayerNorm norm2;

    /**
     * @param dModel d
     * @param ffnDim FFN hidden width
     * @param levels L
     * @param heads M
     * @param points P
     * @param dropout dropout rate
     * @param xavier initialiser of the FFN matrices (the attention has its own)
     */
    public DeformableEncoderLayer(int dModel, int ffnDim, int levels, int heads, int points, float dropout,
            Initializer xavier) {
        this.dModel = dModel;
        this.dropout = dropout;
        selfAttn = addChildBlock("self_attn", new MultiScaleDeformableAttention(dModel, levels, heads, points));
        norm1 = addChildBlock("norm1", Layers.layerNorm());
        ffn = addChildBlock("ffn", new Ffn(dModel, ffnDim, dropout));
        norm2 = addChildBlock("norm2", Layers.layerNorm());
        ffn.setInitializer(xavier, Parameter.Type.WEIGHT);
    }

    /**
     * @param src {@code [B, S, d]}
     * @param pos {@code [B, S, d]} sine plus level embedding
     * @param reference {@code [B, S, L, 2]}
     * @param shapes the level shapes
     * @param paddingMask {@code [B, S]} true = padding, or null
     * @return {@code [B, S, d]}
     */
    public NDArray apply(ParameterStore ps, NDArray src, NDArray pos, NDArray reference, SpatialShapes shapes,
            NDArray paddingMask, boolean training) {
        NDArray attn = selfAttn.apply(ps, src.add(pos), reference, src, shapes, paddingMask, training).output();
        NDArray x = Layers.apply(norm1, ps, src.add(Layers.dropout(attn, dropout, training)), training);
        NDArray f = ffn.apply(ps, x, training);
        return Layers.apply(norm2, ps, x.add(Layers.dropout(f, dropout, training)), training);
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> p) {
        throw new IllegalStateException("call apply(...) with the level shapes");
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape s = new Shape(1, 1, dModel);
        selfAttn.initialize(manager, dataType, s);
        norm1.initialize(manager, dataType, s);
        ffn.initialize(manager, dataType, s);
        norm2.initialize(manager, dataType, s);
    }
}
