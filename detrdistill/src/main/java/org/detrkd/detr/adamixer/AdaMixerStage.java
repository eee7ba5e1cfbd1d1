package org.detrkd.detr.adamixer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;

import org.detrkd.detr.ops.SpatialShapes;
import org.detrkd.detr.transformer.Ffn;
import org.detrkd.detr.transformer.Layers;

/**
 * One AdaMixer decoder stage ({@code AdaMixerDecoderStage}), post-norm:
 * <pre>
 *   q = LN(q + IoFSelfAttention(q, pe(xyzr)))
 *   q = LN(q + AdaptiveMixing(AdaptiveSampling(q, xyzr), q))
 *   q = LN(q + FFN(q))
 *   logits = fc_cls(relu(LN(W_c q)));  xyzr' = refine(xyzr, fc_reg(relu(LN(W_r q))))
 * </pre>
 * Each stage has its own parameters (AdaMixer does not share heads across stages). Class bias prior 0.01; the last
 * regression layer is zero-initialised, so a fresh stage keeps its input boxes.
 */
public final class AdaMixerStage extends AbstractBlock {

    /** The class bias at initialisation, {@code -log((1 - 0.01) / 0.01)}. */
    public static final float CLASS_BIAS_PRIOR = (float) -Math.log((1 - 0.01) / 0.01);

    /** Stage outputs: new content, class logits and refined positions (not detached). */
    public record Result(NDArray content, NDArray logits, NDArray xyzr) {}

    private final int dModel;
    private final float dropout;
    private final IofSelfAttention attention;
    private final LayerNorm attentionNorm;
    private final AdaptiveSampling sampling;
    private final AdaptiveMixing mixing;
    private final LayerNorm mixingNorm;
    private final Ffn ffn;
    private final LayerNorm ffnNorm;
    private final Linear clsFc;
    private final LayerNorm clsNorm;
    private final Linear fcCls;
    private final Linear regFc;
    private final LayerNorm regNorm;
    private final Linear fcReg;

    /** @param config the detector settings */
    public AdaMixerStage(AdaMixerConfig config) {
        dModel = config.hiddenDim();
        dropout = config.dropout();
        attention = addChildBlock("attention", new IofSelfAttention(dModel, config.heads()));
        attentionNorm = addChildBlock("attention_norm", Layers.layerNorm());
        sampling = addChildBlock("sampling", new AdaptiveSampling(dModel, config.groups(), config.inPoints()));
        mixing = addChildBlock("mixing", new AdaptiveMixing(dModel, config.groups(), config.inPoints(),
                config.outPoints()));
        mixingNorm = addChildBlock("mixing_norm", Layers.layerNorm());
        ffn = addChildBlock("ffn", new Ffn(dModel, config.ffnDim(), config.dropout()));
        ffnNorm = addChildBlock("ffn_norm", Layers.layerNorm());
        clsFc = addChildBlock("cls_fc", Linear.builder().setUnits(dModel).optBias(false).build());
        clsNorm = addChildBlock("cls_norm", Layers.layerNorm());
        fcCls = addChildBlock("fc_cls", Linear.builder().setUnits(config.numClasses()).build());
        regFc = addChildBlock("reg_fc", Linear.builder().setUnits(dModel).optBias(false).build());
        regNorm = addChildBlock("reg_norm", Layers.layerNorm());
        fcReg = addChildBlock("fc_reg", Linear.builder().setUnits(4).build());
        fcCls.setInitializer((m, shape, type) -> m.full(shape, CLASS_BIAS_PRIOR, type), Parameter.Type.BIAS);
        fcReg.setInitializer(Initializer.ZEROS, Parameter.Type.WEIGHT);
        fcReg.setInitializer(Initializer.ZEROS, Parameter.Type.BIAS);
    }

    /** @return the adaptive sampling (offset generator) */
    public AdaptiveSampling sampling() {
        return sampling;
    }

    /** @return the adaptive mixing (matrix generator) */
    public AdaptiveMixing mixing() {
        return mixing;
    }

    /**
     * @param content {@code [B, N, d]}
     * @param xyzr {@code [B, N, 4]} input positions (detached by the caller)
     * @param value {@code [B, S, d]} flattened levels
     * @param shapes level shapes
     * @param strides level strides
     * @param width input width in pixels
     * @param height input height in pixels
     * @param groupMask {@code [N, N]} boolean self-attention mask (true = blocked), or null
     * @return the stage outputs
     */
    public Result apply(ParameterStore ps, NDArray content, NDArray xyzr, NDArray value, SpatialShapes shapes,
            int[] strides, int width, int height, NDArray groupMask, boolean training) {
        NDArray pe = Xyzr.positionEmbedding(xyzr, width, height, dModel);
        NDArray attended = attention.apply(ps, content, pe, Xyzr.toCorners(xyzr), groupMask, training);
        NDArray q = norm(attentionNorm, ps, content.add(Layers.dropout(attended, dropout, training)), training);
        NDArray sampled = sampling.apply(ps, q, xyzr, value, shapes, strides, training);
        NDArray mixed = mixing.apply(ps, sampled, q, training);
        q = norm(mixingNorm, ps, q.add(Layers.dropout(mixed, dropout, training)), training);
        q = norm(ffnNorm, ps, q.add(Layers.dropout(ffn.apply(ps, q, training), dropout, training)), training);
        NDArray cls = Activation.relu(norm(clsNorm, ps, Layers.apply(clsFc, ps, q, training), training));
        NDArray logits = Layers.apply(fcCls, ps, cls, training);
        NDArray reg = Activation.relu(norm(regNorm, ps, Layers.apply(regFc, ps, q, training), training));
        NDArray delta = Layers.apply(fcReg, ps, reg, training);
        return new Result(q, logits, Xyzr.refine(xyzr, delta));
    }

    private static NDArray norm(LayerNorm ln, ParameterStore ps, NDArray x, boolean training) {
        return Layers.apply(ln, ps, x, training);
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> p) {
        throw new IllegalStateException("use apply(...): the level shapes and strides are Java values");
    }

    @Override
    public Shape[] getOutputShapes(Shape[] in) {
        return new Shape[] {in[0]};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape s = new Shape(1, 1, dModel);
        attention.initialize(manager, dataType, s, s, new Shape(1, 1, 4));
        sampling.initialize(manager, dataType, s);
        mixing.initialize(manager, dataType, new Shape(1, 1, 1, 1, 1), s);
        ffn.initialize(manager, dataType, s);
        for (LayerNorm ln : new LayerNorm[] {attentionNorm, mixingNorm, ffnNorm, clsNorm, regNorm}) {
            ln.initialize(manager, dataType, s);
        }
        for (Linear l : new Linear[] {clsFc, fcCls, regFc, fcReg}) {
            l.initialize(manager, dataType, s);
        }
    }
}
