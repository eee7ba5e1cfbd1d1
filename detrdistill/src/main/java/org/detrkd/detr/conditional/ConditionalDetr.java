package org.detrkd.detr.conditional;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.training.initializer.XavierInitializer;

import org.detrkd.detr.backbone.FeatureMasks;
import org.detrkd.detr.backbone.ResNet;
import org.detrkd.detr.model.AbstractDetector;
import org.detrkd.detr.model.DetrOutputs;
import org.detrkd.detr.transformer.Mlp;
import org.detrkd.detr.transformer.PositionEmbeddingSine;
import org.detrkd.detr.transformer.TransformerEncoderLayer;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Conditional DETR (Meng et al., ICCV 2021), single scale: ResNet C5 (or C4, {@link
 * ConditionalDetrConfig#featureLevel()}) -> 1x1 input projection -> post-norm encoder with
 * sine positions -> {@link ConditionalDecoder} with learned query embeddings -> class head (linear, bias prior 0.01) and
 * box head (3-layer MLP whose centre offsets are added to {@code inverse_sigmoid(reference)}, then sigmoid), both shared
 * across stages and applied to every stage.
 *
 * <p>Forward input {@code NDList(images [B, 3, H, W], pixelMask [B, H, W] boolean true = padding [, extraQueries [G,
 * d]])}; output the {@link DetrOutputs} layout. The optional extra query group (e.g. a teacher's query embeddings)
 * is decoded together with the main queries under a self-attention mask that keeps the two groups from seeing each
 * other, so the main outputs are the same with or without it; its outputs come back separately in {@link
 * DetrOutputs#extra()}. Gradients flow into the extra embeddings as into any input (a caller feeding a frozen
 * teacher's queries detaches them). It is meant for training only: evaluation uses the main queries.
 *
 * <p>Initialisation as the reference code: xavier-uniform matrices in encoder and decoder, query embeddings N(0, 1),
 * class bias {@link #CLASS_BIAS_PRIOR}, last box layer zero (so initial boxes are centred on the reference points with
 * size sigmoid(0) = 0.5); backbone convolutions He-normal (DJL's default) unless weights are imported.
 *
 * <p>Memory: every array created by the forward belongs to the images' manager (parameters only ever appear as the
 * second operand), so the model's manager does not grow from batch to batch.
 */
public final class ConditionalDetr extends AbstractDetector {

    /** The class bias at initialisation, {@code -log((1 - 0.01) / 0.01)}: every class starts at probability 0.01. */
    public static final float CLASS_BIAS_PRIOR = (float) -Math.log((1 - 0.01) / 0.01);

    private final ConditionalDetrConfig config;
    private final ResNet backbone;
    private final Conv2d inputProj;
    private final List<TransformerEncoderLayer> encoder = new ArrayList<>();
    private final ConditionalDecoder decoder;
    private final Linear classEmbed;
    private final Mlp bboxEmbed;
    private final Parameter queryEmbed;
    private final PositionEmbeddingSine mapEmbedding;
    private volatile Set<String> backboneIds;

    /** @param config the settings */
    public ConditionalDetr(ConditionalDetrConfig config) {
        this.config = config;
        int d = config.hiddenDim();
        backbone = addChildBlock("backbone", new ResNet(config.backbone()));
        inputProj = addChildBlock("input_proj", Conv2d.builder().setKernelShape(new Shape(1, 1)).setFilters(d).build());
        for (int i = 0; i < config.encoderLayers(); i++) {
            encoder.add(addChildBlock("encoder.layers." + i,
                    new TransformerEncoderLayer(d, config.heads(), config.ffnDim(), config.dropout())));
        }
        decoder = addChildBlock("decoder", new ConditionalDecoder(d, config.heads(), config.ffnDim(),
                config.decoderLayers(), config.dropout()));
        classEmbed = addChildBlock("class_embed", Linear.builder().setUnits(config.numClasses()).build());
        bboxEmbed = addChildBlock("bbox_embed", new Mlp(d, d, 4, 3));
        queryEmbed = addParameter(Parameter.builder().setName("query_embed").setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(config.numQueries(), d)).optInitializer(new NormalInitializer(1f)).build());
        mapEmbedding = PositionEmbeddingSine.forModelDim(d);
        // as the reference Transformer._reset_parameters: xavier_uniform on every matrix of encoder and decoder
        Initializer xavier = new XavierInitializer(XavierInitializer.RandomType.UNIFORM,
                XavierInitializer.FactorType.AVG, 3);
        for (TransformerEncoderLayer layer : encoder) {
            layer.setInitializer(xavier, Parameter.Type.WEIGHT);
        }
        decoder.setInitializer(xavier, Parameter.Type.WEIGHT);
    }

    /** @return the settings */
    public ConditionalDetrConfig config() {
        return config;
    }

    /** @return the backbone (for BatchNorm handling, torchvision import and per-parameter learning rates) */
    public ResNet backbone() {
        return backbone;
    }

    /**
     * @param p a parameter of this model
     * @return whether it belongs to the backbone (DETR trains those at 0.1 x the learning rate); match by id, as
     *     {@code ParameterTracker}s do
     */
    @Override
    public boolean isLowLrParameter(Parameter p) {
        return isBackboneParameter(p);
    }

    /** @return whether {@code p} belongs to the backbone */
    public boolean isBackboneParameter(Parameter p) {
        if (backboneIds == null) {
            Set<String> ids = new HashSet<>();
            for (Parameter q : backbone.getParameters().values()) {
                ids.add(q.getId());
            }
            backboneIds = ids;
        }
        return backboneIds.contains(p.getId());
    }

    /** @return the learned query embeddings parameter {@code [Q, d]} (e.g. to feed a student as an extra group) */
    public Parameter queryEmbedParameter() {
        return queryEmbed;
    }

    /**
     * Runs the detector.
     *
     * @param images {@code [B, 3, H, W]} normalised images (padded to a common size)
     * @param pixelMask {@code [B, H, W]} boolean, true = padding; or null for no padding
     * @param extraQueries {@code [G, d]} an extra isolated query group, or null
     * @return the outputs, on the images' manager
     */
    public DetrOutputs forward(ParameterStore ps, NDArray images, NDArray pixelMask, NDArray extraQueries,
            boolean training) {
        NDManager mgr = images.getManager();
        Shape is = images.getShape();
        long b = is.get(0);
        NDArray mask = pixelMask != null ? pixelMask : mgr.zeros(new Shape(b, is.get(2), is.get(3)), DataType.BOOLEAN);
        NDList feats; // C3, C4, C5
        try (NDScope scope = new NDScope()) {
            // free the backbone's temporaries at once (the graph keeps what its backward reads)
            feats = backbone.forward(ps, new NDList(images), training);
            NDScope.unregister(feats);
        }
        List<NDArray> masks = new ArrayList<>();
        for (NDArray f : feats) {
            masks.add(FeatureMasks.resize(mask, f.getShape().get(2), f.getShape().get(3)));
        }
        int level = config.featureIndex(); // C5 as the paper, or C4 for small images
        NDArray c5Mask = masks.get(level);
        NDArray proj = inputProj.forward(ps, new NDList(feats.get(level)), training).singletonOrThrow();
        Shape ps4 = proj.getShape(); // [B, d, h, w]
        int h = (int) ps4.get(2);
        int w = (int) ps4.get(3);
        int d = config.hiddenDim();
        NDArray src = proj.reshape(b, d, (long) h * w).transpose(0, 2, 1); // [B, S, d]
        NDArray memMask = c5Mask.reshape(b, (long) h * w);
        NDArray pos = mapEmbedding.embedMap(c5Mask); // [B, S, d]
        NDArray memory = src;
        for (TransformerEncoderLayer layer : encoder) {
            memory = layer.apply(ps, memory, pos, memMask, training);
        }
        NDArray zeros = mgr.zeros(new Shape(b, 1, 1));
        NDArray queryPos = zeros.add(ps.getValue(queryEmbed, images.getDevice(), training)); // [B, Q, d]
        int q = config.numQueries();
        NDArray groupMask = null;
        NDArray allQueries = queryPos;
        if (extraQueries != null) {
            // not detached here: a caller that feeds a frozen teacher's queries detaches them itself, and a learned
            // adapter in front of them (assignment distillation with different widths) must receive its gradient
            allQueries = queryPos.concat(zeros.add(extraQueries), 1); // [B, Q + G, d]
            groupMask = isolatingMask(mgr, q, (int) extraQueries.getShape().get(0));
        }
        ConditionalDecoder.Result dec = decoder.apply(ps, memory, pos, memMask, allQueries, groupMask, training);
        NDArray logits = classEmbed.forward(ps, new NDList(dec.hidden()), training).singletonOrThrow();
        NDArray boxes = boxes(ps, dec.hidden(), dec.referencePoints(), training);
        DetrOutputs.ExtraGroup extra = null;
        NDArray hidden = dec.hidden();
        NDArray reference = dec.referencePoints();
        if (extraQueries != null) {
            extra = new DetrOutputs.ExtraGroup(logits.get(":, :, " + q + ":"), boxes.get(":, :, " + q + ":"),
                    hidden.get(":, :, " + q + ":"), reference.get(":, " + q + ":"));
            logits = logits.get(":, :, :" + q);
            boxes = boxes.get(":, :, :" + q);
            hidden = hidden.get(":, :, :" + q);
            reference = reference.get(":, :" + q);
        }
        return new DetrOutputs(logits, boxes, hidden, queryPos.get(0), reference, memory, memMask, h, w, src,
                feats.subNDList(0), masks, extra);
    }

    /** @return {@code [L, B, N, 4]} sigmoid((cx, cy) offsets + inverse_sigmoid(reference), (w, h)) */
    private NDArray boxes(ParameterStore ps, NDArray hidden, NDArray reference, boolean training) {
        NDArray tmp = bboxEmbed.apply(ps, hidden, training); // [L, B, N, 4]
        NDArray centre = tmp.get("..., :2").add(inverseSigmoid(reference)); // broadcast over L
        return Activation.sigmoid(centre.concat(tmp.get("..., 2:"), 3));
    }

    /** Conditional DETR's {@code inverse_sigmoid(x, eps=1e-3)}: {@code log(max(x, eps) / max(1 - x, eps))}. */
    static NDArray inverseSigmoid(NDArray x) {
        float eps = 1e-3f;
        NDArray c = x.clip(0f, 1f);
        return c.clip(eps, 1f).div(c.neg().add(1f).clip(eps, 1f)).log();
    }

    @Override
    public Shape[] getOutputShapes(Shape[] in) {
        Shape[] feats = backbone.getOutputShapes(new Shape[] {in[0]});
        long b = in[0].get(0);
        long l = config.decoderLayers();
        long q = config.numQueries();
        long d = config.hiddenDim();
        Shape read = feats[config.featureIndex()];
        long s = read.get(2) * read.get(3);
        List<Shape> out = new ArrayList<>(List.of(new Shape(l, b, q, config.numClasses()), new Shape(l, b, q, 4),
                new Shape(l, b, q, d), new Shape(q, d), new Shape(b, q, 2), new Shape(b, s, d), new Shape(b, s),
                new Shape(2), new Shape(b, s, d)));
        for (Shape f : feats) {
            out.add(f);
            out.add(new Shape(b, f.get(2), f.get(3)));
        }
        return out.toArray(new Shape[0]);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        boolean fresh = !classEmbed.isInitialized();
        backbone.initialize(manager, dataType, inputShapes[0]);
        Shape[] feats = backbone.getOutputShapes(new Shape[] {inputShapes[0]});
        inputProj.initialize(manager, dataType, feats[config.featureIndex()]);
        Shape s = new Shape(1, 1, config.hiddenDim());
        for (TransformerEncoderLayer layer : encoder) {
            layer.initialize(manager, dataType, s, s);
        }
        decoder.initialize(manager, dataType, s, s, s);
        classEmbed.initialize(manager, dataType, s);
        bboxEmbed.initialize(manager, dataType, s);
        if (fresh) {
            fill(classEmbed.getParameters().get("bias"), CLASS_BIAS_PRIOR);
            fill(bboxEmbed.lastLayer().getParameters().get("weight"), 0f);
            fill(bboxEmbed.lastLayer().getParameters().get("bias"), 0f);
        }
    }

    private static void fill(Parameter p, float value) {
        NDArray a = p.getArray();
        a.setRequiresGradient(false);
        a.set(new NDIndex(":"), value);
        a.setRequiresGradient(p.requiresGradient());
    }
}
