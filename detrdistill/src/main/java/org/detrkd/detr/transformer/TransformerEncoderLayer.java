package org.detrkd.detr.transformer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * DETR's post-norm encoder layer: {@code q = k = src + pos}; {@code src = norm1(src + dropout(selfAttn(q, k, src)))};
 * {@code src = norm2(src + dropout(ffn(src)))}. Shapes {@code src, pos [B, S, d]}, key padding mask {@code [B, S]}
 * (true = padding).
 */
public final class TransformerEncoderLayer extends AbstractBlock {

    private final int dModel;
    private final float dropout;
    private final MultiHeadAttention selfAttn;
    private final Ffn ffn;
    private final LayerNorm norm1;
    private final LayerNorm norm2;

    /**
     * @param dModel model width d
     * @param heads attention heads
     * @param dFfn feed-forward hidden width
     * @param dropout dropout rate (0 for the mini scale)
     */
    public TransformerEncoderLayer(int dModel, int heads, int dFfn, float dropout) {
        this.dModel = dModel;
        this.dropout = dropout;
        selfAttn = addChildBlock("self_attn",
                MultiHeadAttention.builder().setEmbedDim(dModel).setHeads(heads).optDropout(dropout).build());
        ffn = addChildBlock("ffn", new Ffn(dModel, dFfn, dropout));
        norm1 = addChildBlock("norm1", Layers.layerNorm());
        norm2 = addChildBlock("norm2", Layers.layerNorm());
    }

    /**
     * @param src {@code [B, S, d]}
     * @param pos {@code [B, S, d]} position embedding added to queries and keys
     * @param keyPaddingMask {@code [B, S]} boolean, true = padding; or null
     * @return {@code [B, S, d]}
     */
    public NDArray apply(ParameterStore ps, NDArray src, NDArray pos, NDArray keyPaddingMask, boolean training) {
        NDArray qk = src.add(pos);
        NDArray attn = selfAttn.attend(ps, qk, qk, src, keyPaddingMask, null, training, false).output();
        NDArray x = Layers.apply(norm1, ps, src.add(Layers.dropout(attn, dropout, training)), training);
        NDArray f = ffn.apply(ps, x, training);
        return Layers.apply(norm2, ps, x.add(Layers.dropout(f, dropout, training)), training);
    }

    /** Inputs {@code (src, pos)} or {@code (src, pos, keyPaddingMask)}; output {@code (src')}. */
    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> p) {
        NDArray pad = inputs.size() > 2 ? inputs.get(2) : null;
        return new NDList(apply(ps, inputs.get(0), inputs.get(1), pad, training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape s = new Shape(1, 1, dModel);
        selfAttn.initialize(manager, dataType, s, s, s);
        ffn.initialize(manager, dataType, s);
        norm1.initialize(manager, dataType, s);
        norm2.initialize(manager, dataType, s);
    }
}
