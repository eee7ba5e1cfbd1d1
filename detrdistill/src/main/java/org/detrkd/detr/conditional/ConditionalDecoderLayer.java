package org.detrkd.detr.conditional;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

import org.detrkd.detr.transformer.Ffn;
import org.detrkd.detr.transformer.Layers;
import org.detrkd.detr.transformer.MultiHeadAttention;

/**
 * One Conditional DETR decoder layer (Meng et al., "Conditional DETR for Fast Training Convergence", ICCV 2021,
 * Sec. 3.3), post-norm.
 *
 * <ol>
 *   <li>Self-attention among queries: {@code q = Wqc t + Wqp p_pos}, {@code k = Wkc t + Wkp p_pos}, {@code v = Wv t}.
 *   <li>Conditional cross-attention: per head, the query is the concatenation of its content part {@code Wqc' t} (plus
 *       {@code Wqp' p_pos} in the first layer only) and its spatial part {@code Ws p_q} (the spatial query from the
 *       decoder), the key the concatenation of {@code Wkc' memory} and {@code Wkp' pos}; so the dot product is the
 *       sum of a content and a spatial attention, over {@code 2d / heads} dimensions per head.
 *   <li>Feed-forward.
 * </ol>
 *
 * Shapes: target {@code [B, N, d]}, memory and its position embedding {@code [B, S, d]}, query position and spatial
 * query {@code [B, N, d]}, memory padding mask {@code [B, S]} (true = padding), optional query mask {@code [N, N]} (true
 * = may not attend; used for isolated query groups).
 */
public final class ConditionalDecoderLayer extends AbstractBlock {

    private final int dModel;
    private final int heads;
    private final float dropout;
    private final Linear saQContent;
    private final Linear saQPos;
    private final Linear saKContent;
    private final Linear saKPos;
    private final Linear saV;
    private final MultiHeadAttention selfAttn;
    private final LayerNorm norm1;
    private final Linear caQContent;
    private final Linear caQPos;
    private final Linear caKContent;
    private final Linear caKPos;
    private final Linear caV;
    private final Linear caQPosSine;
    private final MultiHeadAttention crossAttn;
    private final LayerNorm norm2;
    private final Ffn ffn;
    private final LayerNorm norm3;

    /**
     * @param dModel model width d, divisible by {@code heads}
     * @param heads attention heads
     * @param dFfn feed-forward hidden width
     * @param dropout dropout rate
     * @param first whether this is the first decoder layer (its cross-attention query also gets the query position)
     */
    public ConditionalDecoderLayer(int dModel, int heads, int dFfn, float dropout, boolean first) {
        this.dModel = dModel;
        this.heads = heads;
        this.dropout = dropout;
        saQContent = addChildBlock("sa_qcontent_proj", linear(dModel));
        saQPos = addChildBlock("sa_qpos_proj", linear(dModel));
        saKContent = addChildBlock("sa_kcontent_proj", linear(dModel));
        saKPos = addChildBlock("sa_kpos_proj", linear(dModel));
        saV = addChildBlock("sa_v_proj", linear(dModel));
        selfAttn = addChildBlock("self_attn", MultiHeadAttention.builder().setEmbedDim(dModel).setHeads(heads)
                .optDropout(dropout).optInputProjections(false).build());
        norm1 = addChildBlock("norm1", Layers.layerNorm());
        caQContent = addChildBlock("ca_qcontent_proj", linear(dModel));
        caQPos = first ? addChildBlock("ca_qpos_proj", linear(dModel)) : null;
        caKContent = addChildBlock("ca_kcontent_proj", linear(dModel));
        caKPos = addChildBlock("ca_kpos_proj", linear(dModel));
        caV = addChildBlock("ca_v_proj", linear(dModel));
        caQPosSine = addChildBlock("ca_qpos_sine_proj", linear(dModel));
        crossAttn = addChildBlock("cross_attn", MultiHeadAttention.builder().setEmbedDim(2 * dModel).setHeads(heads)
                .optValueDim(dModel).optDropout(dropout).optInputProjections(false).build());
        norm2 = addChildBlock("norm2", Layers.layerNorm());
        ffn = addChildBlock("ffn", new Ffn(dModel, dFfn, dropout));
        norm3 = addChildBlock("norm3", Layers.layerNorm());
    }

    private static Linear linear(int units) {
        return Linear.builder().setUnits(units).build();
    }

    /**
     * @param tgt {@code [B, N, d]} decoder embeddings
     * @param memory {@code [B, S, d]} encoder output
     * @param pos {@code [B, S, d]} memory position embedding
     * @param queryPos {@code [B, N, d]} learned query positions
     * @param spatialQuery {@code [B, N, d]} {@code p_q = PE(s) * FFN(tgt)}
     * @param memoryMask {@code [B, S]} true = padding, or null
     * @param queryMask {@code [N, N]} true = may not attend, or null
     * @return {@code [B, N, d]}
     */
    public NDArray apply(ParameterStore ps, NDArray tgt, NDArray memory, NDArray pos, NDArray queryPos,
            NDArray spatialQuery, NDArray memoryMask, NDArray queryMask, boolean training) {
        NDArray q = lin(saQContent, ps, tgt, training).add(lin(saQPos, ps, queryPos, training));
        NDArray k = lin(saKContent, ps, tgt, training).add(lin(saKPos, ps, queryPos, training));
        NDArray v = lin(saV, ps, tgt, training);
        NDArray sa = selfAttn.attend(ps, q, k, v, null, queryMask, training, false).output();
        NDArray x = Layers.apply(norm1, ps, tgt.add(Layers.dropout(sa, dropout, training)), training);

        NDArray qc = lin(caQContent, ps, x, training);
        NDArray kc = lin(caKContent, ps, memory, training);
        NDArray kp = lin(caKPos, ps, pos, training);
        if (caQPos != null) {
            qc = qc.add(lin(caQPos, ps, queryPos, training));
            kc = kc.add(kp);
        }
        NDArray qs = lin(caQPosSine, ps, spatialQuery, training);
        NDArray ca = crossAttn.attend(ps, perHeadConcat(qc, qs), perHeadConcat(kc, kp),
                lin(caV, ps, memory, training), memoryMask, null, training, false).output();
        x = Layers.apply(norm2, ps, x.add(Layers.dropout(ca, dropout, training)), training);

        NDArray f = ffn.apply(ps, x, training);
        return Layers.apply(norm3, ps, x.add(Layers.dropout(f, dropout, training)), training);
    }

    /** {@code [B, N, d]} content and position parts to {@code [B, N, 2d]}, concatenated head by head. */
    private NDArray perHeadConcat(NDArray content, NDArray position) {
        Shape s = content.getShape();
        long dh = dModel / heads;
        return content.reshape(s.get(0), s.get(1), heads, dh)
                .concat(position.reshape(s.get(0), s.get(1), heads, dh), 3)
                .reshape(s.get(0), s.get(1), 2L * dModel);
    }

    private static NDArray lin(Linear layer, ParameterStore ps, NDArray x, boolean training) {
        return Layers.apply(layer, ps, x, training);
    }

    /** Inputs {@code (tgt, memory, pos, queryPos, spatialQuery[, memoryMask])}; output {@code (tgt')}. */
    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> p) {
        NDArray mask = in.size() > 5 ? in.get(5) : null;
        return new NDList(apply(ps, in.get(0), in.get(1), in.get(2), in.get(3), in.get(4), mask, null, training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape s = new Shape(1, 1, dModel);
        for (var child : getChildren()) {
            var block = child.getValue();
            if (block == crossAttn) {
                Shape s2 = new Shape(1, 1, 2L * dModel);
                crossAttn.initialize(manager, dataType, s2, s2, s);
            } else if (block == selfAttn) {
                selfAttn.initialize(manager, dataType, s, s, s);
            } else {
                block.initialize(manager, dataType, s);
            }
        }
    }
}
