package org.detrkd.detr.transformer;

import org.detrkd.detr.util.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Multi-head scaled dot-product attention, batch-first, written with {@code matMul} and {@code softmax}.
 *
 * <p>Queries {@code [B, L, E]}, keys {@code [B, S, E]}, values {@code [B, S, Dv]}; heads split {@code E} and {@code
 * Dv} evenly; scores are {@code q k^T / sqrt(E / heads)}. With input projections (as {@code torch.nn.MultiheadAttention},
 * used by the DETR encoder) q, k and v first go through separate linear layers; without them (Conditional DETR's
 * decoder, whose layers project and concatenate content and position parts themselves) they are used as given. An
 * output projection {@code Dv -> Dv} always follows.
 *
 * <p>Mask polarity is handled here and only here: {@code keyPaddingMask [B, S]} and {@code attnMask [L, S]} are
 * boolean with <b>true = excluded</b> (padding, or not allowed to attend), as PyTorch's boolean masks; excluded scores
 * become {@code -inf} before the softmax.
 */
public final class MultiHeadAttention extends AbstractBlock {

    /** Output {@code [B, L, Dv]} and, when asked for, the per-head attention weights {@code [B, heads, L, S]}. */
    public record Result(NDArray output, NDArray weights) {}

    private final int embedDim;
    private final int valueDim;
    private final int heads;
    private final float dropout;
    private final Linear qProj;
    private final Linear kProj;
    private final Linear vProj;
    private final Linear outProj;

    private MultiHeadAttention(Builder b) {
        embedDim = b.embedDim;
        valueDim = b.valueDim > 0 ? b.valueDim : b.embedDim;
        heads = b.heads;
        dropout = b.dropout;
        if (heads < 1 || embedDim % heads != 0 || valueDim % heads != 0) {
            throw new IllegalArgumentException("embedDim " + embedDim + " and valueDim " + valueDim
                    + " must be divisible by heads " + heads);
        }
        if (b.inputProjections) {
            qProj = addChildBlock("q_proj", Linear.builder().setUnits(embedDim).build());
            kProj = addChildBlock("k_proj", Linear.builder().setUnits(embedDim).build());
            vProj = addChildBlock("v_proj", Linear.builder().setUnits(valueDim).build());
        } else {
            qProj = null;
            kProj = null;
            vProj = null;
        }
        outProj = addChildBlock("out_proj", Linear.builder().setUnits(valueDim).build());
    }

    /** @return a builder; {@code setEmbedDim} and {@code setHeads} are required */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Attends.
     *
     * @param q {@code [B, L, E]}
     * @param k {@code [B, S, E]}
     * @param v {@code [B, S, Dv]}
     * @param keyPaddingMask {@code [B, S]} boolean, true = padded key; or null
     * @param attnMask {@code [L, S]} boolean, true = query may not attend to key; or null
     * @param needWeights whether to return the attention weights
     * @return output {@code [B, L, Dv]} and weights {@code [B, heads, L, S]} (null unless asked for)
     */
    public Result attend(ParameterStore ps, NDArray q, NDArray k, NDArray v, NDArray keyPaddingMask, NDArray attnMask,
            boolean training, boolean needWeights) {
        if (qProj != null) {
            q = apply(qProj, ps, q, training);
            k = apply(kProj, ps, k, training);
            v = apply(vProj, ps, v, training);
        }
        long b = q.getShape().get(0);
        long l = q.getShape().get(1);
        long s = k.getShape().get(1);
        long dh = embedDim / heads;
        long dv = valueDim / heads;
        NDArray qh = q.reshape(b, l, heads, dh).transpose(0, 2, 1, 3);
        qh = Scalars.mul(qh, 1.0 / Math.sqrt(dh)); // [B, h, L, dh]
        NDArray kt = k.reshape(b, s, heads, dh).transpose(0, 2, 3, 1); // [B, h, dh, S]
        NDArray vh = v.reshape(b, s, heads, dv).transpose(0, 2, 1, 3); // [B, h, S, dv]
        NDArray scores = qh.matMul(kt); // [B, h, L, S]
        NDArray bias = additiveMask(keyPaddingMask, attnMask);
        if (bias != null) {
            scores = scores.add(bias);
        }
        NDArray weights = scores.softmax(3);
        NDArray attended = dropout > 0 ? Dropout.dropout(weights, dropout, training).singletonOrThrow()
                : weights;
        NDArray out = attended.matMul(vh).transpose(0, 2, 1, 3).reshape(b, l, valueDim);
        out = apply(outProj, ps, out, training);
        return new Result(out, needWeights ? weights : null);
    }

    /**
     * Converts boolean masks (true = excluded) to an additive bias: {@code -inf} where excluded, 0 elsewhere.
     *
     * @return {@code [B|1, 1, L|1, S]} or null when both masks are null
     */
    static NDArray additiveMask(NDArray keyPaddingMask, NDArray attnMask) {
        NDArray bias = null;
        if (keyPaddingMask != null) {
            Shape s = keyPaddingMask.getShape();
            bias = toBias(keyPaddingMask).reshape(s.get(0), 1, 1, s.get(1));
        }
        if (attnMask != null) {
            Shape s = attnMask.getShape();
            NDArray a = toBias(attnMask).reshape(1, 1, s.get(0), s.get(1));
            bias = bias == null ? a : bias.add(a);
        }
        return bias;
    }

    private static NDArray toBias(NDArray mask) {
        NDManager m = mask.getManager();
        Shape s = mask.getShape();
        return NDArrays.where(mask, m.full(s, Float.NEGATIVE_INFINITY), m.zeros(s));
    }

    private static NDArray apply(Linear layer, ParameterStore ps, NDArray x, boolean training) {
        return layer.forward(ps, new NDList(x), training).singletonOrThrow();
    }

    /** Inputs {@code (q, k, v)} or {@code (q, k, v, keyPaddingMask)}; outputs {@code (output, weights)}. */
    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> p) {
        NDArray pad = inputs.size() > 3 ? inputs.get(3) : null;
        Result r = attend(ps, inputs.get(0), inputs.get(1), inputs.get(2), pad, null, training, true);
        return new NDList(r.output(), r.weights());
    }

    @Override
    public Shape[] getOutputShapes(Shape[] in) {
        long b = in[0].get(0);
        long l = in[0].get(1);
        long s = in[1].get(1);
        return new Shape[] {new Shape(b, l, valueDim), new Shape(b, heads, l, s)};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        if (qProj != null) {
            qProj.initialize(manager, dataType, new Shape(1, 1, embedDim));
            kProj.initialize(manager, dataType, new Shape(1, 1, embedDim));
            vProj.initialize(manager, dataType, new Shape(1, 1, valueDim));
        }
        outProj.initialize(manager, dataType, new Shape(1, 1, valueDim));
    }

    /** Builder: {@code setX} required, {@code optX} optional. */
    public static final class Builder {
        private int embedDim;
        private int valueDim;
        private int heads;
        private float dropout;
        private boolean inputProjections = true;

        /** @param embedDim query/key dimension E */
        public Builder setEmbedDim(int embedDim) {
            this.embedDim = embedDim;
            return this;
        }

        /** @param heads number of heads, dividing E and Dv */
        public Builder setHeads(int heads) {
            this.heads = heads;
            return this;
        }

        /** @param valueDim value (and output) dimension Dv; default E */
        public Builder optValueDim(int valueDim) {
            this.valueDim = valueDim;
            return this;
        }

        /** @param rate dropout on the attention weights in training; default 0 */
        public Builder optDropout(float rate) {
            this.dropout = rate;
            return this;
        }

        /** @param on whether q, k, v go through input projections; default true */
        public Builder optInputProjections(boolean on) {
            this.inputProjections = on;
            return this;
        }

        /** @return the block */
        public MultiHeadAttention build() {
            if (embedDim < 1 || heads < 1) {
                throw new IllegalArgumentException("setEmbedDim and setHeads are required");
            }
            return new MultiHeadAttention(this);
        }
    }
}
