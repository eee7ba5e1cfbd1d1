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
import org.detrkd.detr.transformer.MultiHeadAttention;

/**
 * Deformable DETR's decoder layer ({@code DeformableTransformerDecoderLayer}), post-norm:
 * <ol>
 *   <li>self-attention among queries, {@code q = k = tgt + queryPos}, {@code v = tgt}, under an optional query mask
 *       (true = may not attend; isolates an extra query group); {@code tgt = norm2(tgt + dropout(sa))};
 *   <li>multi-scale deformable cross-attention from {@code tgt + queryPos} around the reference points into the
 *       memory; {@code tgt = norm1(tgt + dropout(ca))} (each query samples on its own, so groups stay isolated);
 *   <li>FFN; {@code tgt = norm3(tgt + dropout(ffn(tgt)))}.
 * </ol>
 * Shapes: {@code tgt, queryPos [B, N, d]}, reference points {@code [B, N, L, 2|4]}, memory {@code [B, S, d]}.
 */
public final class DeformableDecoderLayer extends AbstractBlock {

    private final int dModel;
    private final float dropout;
    private final MultiHeadAttention selfAttn;
    private final LayerNorm norm2;
    private final MultiScaleDeformableAttention crossAttn;
    private final LayerNorm norm1;
    private final Ffn ffn;
    private final LayerNorm norm3;

    /**
     * @param dModel d
     * @param ffnDim FFN hidden width
     * @param levels L
     * @param heads M
     * @param points P
     * @param dropout dropout rate
     * @param xavier initialiser of the self-attention and FFN matrices (the deformable attention has its own)
     */
    public DeformableDecoderLayer(int dModel, int ffnDim, int levels, int heads, int points, float dropout,
            Initializer xavier) {
        this.dModel = dModel;
        this.dropout = dropout;
        selfAttn = addChildBlock("self_attn",
                MultiHeadAttention.builder().setEmbedDim(dModel).setHeads(heads).optDropout(dropout).build());
        norm2 = addChildBlock("norm2", Layers.layerNorm());
        crossAttn = addChildBlock("cross_attn", new MultiScaleDeformableAttention(dModel, levels, heads, points));
        norm1 = addChildBlock("norm1", Layers.layerNorm());
        ffn = addChildBlock("ffn", new Ffn(dModel, ffnDim, dropout));
        norm3 = addChildBlock("norm3", Layers.layerNorm());
        selfAttn.setInitializer(xavier, Parameter.Type.WEIGHT);
        ffn.setInitializer(xavier, Parameter.Type.WEIGHT);
    }

    /**
     * @param tgt {@code [B, N, d]} content
     * @param queryPos {@code [B, N, d]} query positions
     * @param reference {@code [B, N, L, 2|4]} reference points scaled into each level's valid region
     * @param memory {@code [B, S, d]}
     * @param shapes the level shapes
     * @param memoryMask {@code [B, S]} true = padding, or null
     * @param queryMask {@code [N, N]} true = may not attend, or null
     * @return {@code [B, N, d]}
     */
    public NDArray apply(ParameterStore ps, NDArray tgt, NDArray queryPos, NDArray reference, NDArray memory,
            SpatialShapes shapes, NDArray memoryMask, NDArray queryMask, boolean training) {
        NDArray qk = tgt.add(queryPos);
        NDArray sa = selfAttn.attend(ps, qk, qk, tgt, null, queryMask, training, false).output();
        NDArray x = Layers.apply(norm2, ps, tgt.add(Layers.dropout(sa, dropout, training)), training);
        NDArray ca = crossAttn.apply(ps, x.add(queryPos), reference, memory, shapes, memoryMask, training).output();
        x = Layers.apply(norm1, ps, x.add(Layers.dropout(ca, dropout, training)), training);
        NDArray f = ffn.apply(ps, x, training);
        return Layers.apply(norm3, ps, x.add(Layers.dropout(f, dropout, training)), training);
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
        selfAttn.initialize(manager, dataType, s, s, s);
        norm2.initialize(manager, dataType, s);
        crossAttn.initialize(manager, dataType, s);
        norm1.initialize(manager, dataType, s);
        ffn.initialize(manager, dataType, s);
        norm3.initialize(manager, dataType, s);
    }
}
