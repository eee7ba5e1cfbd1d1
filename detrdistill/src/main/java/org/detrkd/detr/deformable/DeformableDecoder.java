package org.detrkd.detr.deformable;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;

import org.detrkd.detr.ops.SpatialShapes;
import org.detrkd.detr.transformer.Layers;
import org.detrkd.detr.transformer.Mlp;

import java.util.ArrayList;
import java.util.List;

/**
 * Deformable DETR's decoder with its prediction heads ({@code DeformableTransformerDecoder} plus the {@code
 * class_embed} / {@code bbox_embed} of {@code DeformableDETR}).
 *
 * <p>Reference points: {@code sigmoid(reference_points(queryPos))} {@code [B, N, 2]} (Linear d -> 2). Every stage
 * predicts class logits (Linear, bias prior 0.01) and boxes {@code sigmoid(bbox_embed(h) + inverse_sigmoid(ref))},
 * the offset added to the centre only while the reference is a point. Plain variant: one shared head pair, every
 * stage uses the initial points. Iterative refinement: one head pair per stage; stage l's boxes, detached, are the
 * 4-d reference (boxes) of stage l + 1. The last box layer starts at zero with size bias -2 (the reference sets it on
 * the first head only), so initial boxes sit on the reference points with size sigmoid(-2) = 0.12; with refinement
 * the later heads start at size bias 0 (they refine an existing box).
 */
public final class DeformableDecoder extends AbstractBlock {

    /** The class bias at initialisation, {@code -log((1 - 0.01) / 0.01)}. */
    public static final float CLASS_BIAS_PRIOR = (float) -Math.log((1 - 0.01) / 0.01);
    /** The initial (w, h) bias of the first box head. */
    public static final float BOX_SIZE_BIAS = -2f;

    /** Per-stage outputs; N = queries of all groups. */
    public record Result(
            NDArray hidden, // [L, B, N, d]
            NDArray logits, // [L, B, N, K]
            NDArray boxes, // [L, B, N, 4] normalised cx, cy, w, h
            NDArray initialReference) {} // [B, N, 2] normalised x, y

    private final int dModel;
    private final boolean refine;
    private final List<DeformableDecoderLayer> layers = new ArrayList<>();
    private final Linear referencePoints;
    private final List<Linear> classEmbed = new ArrayList<>();
    private final List<Mlp> bboxEmbed = new ArrayList<>();

    /**
     * @param config the settings (width, layers, attention sizes, classes, refinement)
     * @param xavier initialiser of the matrices outside the deformable attention
     */
    public DeformableDecoder(DeformableDetrConfig config, Initializer xavier) {
        dModel = config.hiddenDim();
        refine = config.boxRefine();
        for (int i = 0; i < config.decoderLayers(); i++) {
            layers.add(addChildBlock("layers." + i, new DeformableDecoderLayer(dModel, config.ffnDim(),
                    config.featureLevels(), config.heads(), config.points(), config.dropout(), xavier)));
        }
        referencePoints = addChildBlock("reference_points", Linear.builder().setUnits(2).build());
        referencePoints.setInitializer(xavier, Parameter.Type.WEIGHT);
        referencePoints.setInitializer(Initializer.ZEROS, Parameter.Type.BIAS);
        int heads = refine ? config.decoderLayers() : 1;
        for (int i = 0; i < heads; i++) {
            String suffix = refine ? "." + i : "";
            classEmbed.add(addChildBlock("class_embed" + suffix,
                    Linear.builder().setUnits(config.numClasses()).build()));
            bboxEmbed.add(addChildBlock("bbox_embed" + suffix, new Mlp(dModel, dModel, 4, 3)));
        }
    }

    /** @return the reference-point projection (trained at 0.1 x the learning rate) */
    Linear referencePointsLayer() {
        return referencePoints;
    }

    /**
     * @param tgt {@code [B, N, d]} query contents
     * @param queryPos {@code [B, N, d]} query positions
     * @param memory {@code [B, S, d]}
     * @param shapes level shapes
     * @param validRatios {@code [B, L, 2]}
     * @param memoryMask {@code [B, S]} true = padding, or null
     * @param queryMask {@code [N, N]} true = may not attend, or null
     * @return the per-stage outputs
     */
    public Result apply(ParameterStore ps, NDArray tgt, NDArray queryPos, NDArray memory, SpatialShapes shapes,
            NDArray validRatios, NDArray memoryMask, NDArray queryMask, boolean training) {
        NDArray initial = Activation.sigmoid(Layers.apply(referencePoints, ps, queryPos, training)); // [B, N, 2]
        NDArray reference = initial;
        NDArray x = tgt;
        NDList hidden = new NDList();
        NDList logits = new NDList();
        NDList boxes = new NDList();
        for (int l = 0; l < layers.size(); l++) {
            NDArray input = LevelGeometry.perLevel(reference, validRatios);
            x = layers.get(l).apply(ps, x, queryPos, input, memory, shapes, memoryMask, queryMask, training);
            int head = refine ? l : 0;
            NDArray box = box(ps, bboxEmbed.get(head), x, reference, training);
            hidden.add(x);
            logits.add(Layers.apply(classEmbed.get(head), ps, x, training));
            boxes.add(box);
            if (refine) {
                reference = box.stopGradient();
            }
        }
        return new Result(NDArrays.stack(hidden), NDArrays.stack(logits), NDArrays.stack(boxes), initial);
    }

    /** @return {@code sigmoid(mlp(h) + inverse_sigmoid(ref))}, on the centre only for 2-d references; [B, N, 4] */
    private static NDArray box(ParameterStore ps, Mlp mlp, NDArray h, NDArray reference, boolean training) {
        NDArray tmp = mlp.apply(ps, h, training);
        NDArray inv = inverseSigmoid(reference);
        if (reference.getShape().getLastDimension() == 4) {
            return Activation.sigmoid(tmp.add(inv));
        }
        return Activation.sigmoid(tmp.get("..., :2").add(inv).concat(tmp.get("..., 2:"), 2));
    }

    /** Deformable DETR's {@code inverse_sigmoid(x, eps=1e-5)}: {@code log(max(x, eps) / max(1 - x, eps))}. */
    static NDArray inverseSigmoid(NDArray x) {
        float eps = 1e-5f;
        NDArray c = x.clip(0f, 1f);
        return c.clip(eps, 1f).div(c.neg().add(1f).clip(eps, 1f)).log();
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
        boolean fresh = !referencePoints.isInitialized();
        Shape s = new Shape(1, 1, dModel);
        for (DeformableDecoderLayer layer : layers) {
            layer.initialize(manager, dataType, s);
        }
        referencePoints.initialize(manager, dataType, s);
        for (int i = 0; i < classEmbed.size(); i++) {
            classEmbed.get(i).initialize(manager, dataType, s);
            bboxEmbed.get(i).initialize(manager, dataType, s);
            if (fresh) {
                fill(classEmbed.get(i).getParameters().get("bias"), ":", CLASS_BIAS_PRIOR);
                fill(bboxEmbed.get(i).lastLayer().getParameters().get("weight"), ":", 0f);
                Parameter bias = bboxEmbed.get(i).lastLayer().getParameters().get("bias");
                fill(bias, ":", 0f);
                if (i == 0) {
                    fill(bias, "2:", BOX_SIZE_BIAS);
                }
            }
        }
    }

    private static void fill(Parameter p, String index, float value) {
        NDArray a = p.getArray();
        a.setRequiresGradient(false);
        a.set(new NDIndex(index), value);
        a.setRequiresGradient(p.requiresGradient());
    }
}
