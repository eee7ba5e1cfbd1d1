package org.detrkd.detr.conditional;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

import org.detrkd.detr.transformer.Layers;
import org.detrkd.detr.transformer.Mlp;
import org.detrkd.detr.transformer.PositionEmbeddingSine;

import java.util.ArrayList;
import java.util.List;

/**
 * The Conditional DETR decoder: reference points {@code s = sigmoid(refPointHead(queryPos))} {@code [B, N, 2]} (fixed
 * across layers), spatial query {@code p_q = PE_sine(s) * T}, with {@code T = 1} at layer 0 and {@code T =
 * queryScale(previous decoder embedding)} after, then the layers; every layer's output goes through a shared final
 * LayerNorm to give the per-stage hidden states.
 */
public final class ConditionalDecoder extends AbstractBlock {

    /** Per-stage normalised hidden states {@code [L, B, N, d]} and reference points {@code [B, N, 2]}. */
    public record Result(NDArray hidden, NDArray referencePoints) {}

    private final int dModel;
    private final List<ConditionalDecoderLayer> layers = new ArrayList<>();
    private final Mlp queryScale;
    private final Mlp refPointHead;
    private final LayerNorm norm;
    private final PositionEmbeddingSine pointEmbedding;

    /**
     * @param dModel model width d (even)
     * @param heads attention heads
     * @param dFfn feed-forward width
     * @param numLayers decoder layers L
     * @param dropout dropout rate
     */
    public ConditionalDecoder(int dModel, int heads, int dFfn, int numLayers, float dropout) {
        this.dModel = dModel;
        for (int i = 0; i < numLayers; i++) {
            layers.add(addChildBlock("layers." + i, new ConditionalDecoderLayer(dModel, heads, dFfn, dropout, i == 0)));
        }
        queryScale = addChildBlock("query_scale", new Mlp(dModel, dModel, dModel, 2));
        refPointHead = addChildBlock("ref_point_head", new Mlp(dModel, dModel, 2, 2));
        norm = addChildBlock("norm", Layers.layerNorm());
        pointEmbedding = PositionEmbeddingSine.forModelDim(dModel);
    }

    /** @return the number of decoder layers (stages) */
    public int numLayers() {
        return layers.size();
    }

    /**
     * @param memory {@code [B, S, d]}
     * @param pos {@code [B, S, d]} memory position embedding
     * @param memoryMask {@code [B, S]} true = padding, or null
     * @param queryPos {@code [B, N, d]} query embeddings (on the batch's manager)
     * @param queryMask {@code [N, N]} true = may not attend, or null
     * @return hidden states {@code [L, B, N, d]} and reference points {@code [B, N, 2]}
     */
    public Result apply(ParameterStore ps, NDArray memory, NDArray pos, NDArray memoryMask, NDArray queryPos,
            NDArray queryMask, boolean training) {
        NDArray reference = Activation.sigmoid(refPointHead.apply(ps, queryPos, training));
        NDArray sine = pointEmbedding.embedPoints(reference); // [B, N, d]
        NDArray out = queryPos.zerosLike();
        NDList stages = new NDList(layers.size());
        for (int i = 0; i < layers.size(); i++) {
            NDArray spatial = i == 0 ? sine : sine.mul(queryScale.apply(ps, out, training));
            out = layers.get(i).apply(ps, out, memory, pos, queryPos, spatial, memoryMask, queryMask, training);
            stages.add(Layers.apply(norm, ps, out, training));
        }
        return new Result(NDArrays.stack(stages, 0), reference);
    }

    /** Inputs {@code (memory, pos, queryPos[, memoryMask])}; outputs {@code (hidden, referencePoints)}. */
    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> p) {
        NDArray mask = in.size() > 3 ? in.get(3) : null;
        Result r = apply(ps, in.get(0), in.get(1), mask, in.get(2), null, training);
        return new NDList(r.hidden(), r.referencePoints());
    }

    @Override
    public Shape[] getOutputShapes(Shape[] in) {
        Shape q = in[2];
        return new Shape[] {new Shape(layers.size(), q.get(0), q.get(1), dModel), new Shape(q.get(0), q.get(1), 2)};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape s = new Shape(1, 1, dModel);
        for (ConditionalDecoderLayer layer : layers) {
            layer.initialize(manager, dataType, s, s, s, s, s);
        }
        queryScale.initialize(manager, dataType, s);
        refPointHead.initialize(manager, dataType, s);
        norm.initialize(manager, dataType, s);
    }
}
