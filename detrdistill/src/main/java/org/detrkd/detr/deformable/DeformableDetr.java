package org.detrkd.detr.deformable;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.util.Pair;

import org.detrkd.detr.backbone.FeatureMasks;
import org.detrkd.detr.backbone.ResNet;
import org.detrkd.detr.model.AbstractDetector;
import org.detrkd.detr.model.DetrOutputs;
import org.detrkd.detr.ops.SpatialShapes;
import org.detrkd.detr.transformer.PositionEmbeddingSine;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Deformable DETR (Zhu et al., ICLR 2021; reference fundamentalvision/Deformable-DETR): ResNet C3-C5 plus extra
 * stride-2 levels -> {@link InputProjections} (conv + GroupNorm) -> encoder of {@link DeformableEncoderLayer}s over
 * all levels (positions: 2-d sine per level plus a learned level embedding; reference points: pixel centres scaled by
 * the valid ratios) -> {@link DeformableDecoder} with learned queries (position and content halves of one
 * {@code [Q, 2d]} embedding) -> focal class and box heads on every stage, plain or with iterative box refinement.
 *
 * <p>Forward input {@code NDList(images [B, 3, H, W], pixelMask [B, H, W] boolean true = padding [, extraQueries [G,
 * 2d]])}; output the {@link DetrOutputs} layout, filled as follows for this multi-scale detector:
 * <ul>
 *   <li>{@code queryEmbed} is the whole query embedding {@code [Q, 2d]} (positions, then contents), so a teacher's
 *       {@code queryEmbed} can be fed to a student as its extra group;
 *   <li>{@code referencePoints} are the decoder's initial points {@code [B, Q, 2]};
 *   <li>{@code memory}, {@code memoryMask} and {@code encoderInput} (the neck outputs, what DETRDistill's code
 *       distills) cover all levels flattened, {@code S = sum H_l W_l} in {@link SpatialShapes} order; the memory
 *       shape is reported as {@code (S, 1)} so that {@code S = H * W} still holds; {@link #levelShapes} splits it;
 *   <li>{@code features} are the backbone's C3, C4, C5 as for Conditional DETR.
 * </ul>
 * The extra query group (e.g. a frozen teacher's queries, which the caller detaches) is decoded with the main queries
 * under a self-attention mask isolating the two groups; deformable cross-attention is per query, so the main outputs
 * are unchanged by the group. Evaluation passes no group.
 *
 * <p>Initialisation as the reference: xavier-uniform matrices (deformable attention: its own scheme), level embedding
 * and queries N(0, 1), class bias prior 0.01, last box layer zero with size bias -2. Memory: every array of the
 * forward belongs to the images' manager, so the model's manager stays flat from batch to batch; the backbone's and
 * each encoder layer's intermediates are freed as soon as the layer is done (an {@link NDScope}), in training too: the
 * autograd graph keeps what its backward reads, and every constant made from Java data in these layers is a
 * libtorch-owned copy ({@code Scalars.array}), so freeing the Java handles early is safe. At paper size the encoder
 * is also checkpointed in training ({@link CheckpointedEncoder}: recomputed layer by layer in the backward pass),
 * since the sampled values its six layers keep for the backward pass alone exceed 13 GB for two 800-px images.
 */
public final class DeformableDetr extends AbstractDetector {

    private final DeformableDetrConfig config;
    private final ResNet backbone;
    private final InputProjections neck;
    private final Parameter levelEmbed;
    private final List<DeformableEncoderLayer> encoder = new ArrayList<>();
    private final Parameter queryEmbed;
    private final DeformableDecoder decoder;
    private final PositionEmbeddingSine sine;
    private volatile Set<String> backboneIds;
    private volatile Set<String> lowLrIds;

    /** @param config the settings */
    public DeformableDetr(DeformableDetrConfig config) {
        this.config = config;
        int d = config.hiddenDim();
        int levels = config.featureLevels();
        Initializer xavier = new XavierInitializer(XavierInitializer.RandomType.UNIFORM,
                XavierInitializer.FactorType.AVG, 3);
        backbone = addChildBlock("backbone", new ResNet(config.backbone()));
        int[] channels = config.backbone().featureChannels();
        int used = config.backboneLevels();
        int[] usedChannels = java.util.Arrays.copyOfRange(channels, channels.length - used, channels.length);
        neck = addChildBlock("input_proj", new InputProjections(usedChannels, levels, d, config.normGroups()));
        levelEmbed = addParameter(Parameter.builder().setName("level_embed").setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(levels, d)).optInitializer(new NormalInitializer(1f)).build());
        for (int i = 0; i < config.encoderLayers(); i++) {
            encoder.add(addChildBlock("encoder.layers." + i, new DeformableEncoderLayer(d, config.ffnDim(), levels,
                    config.heads(), config.points(), config.dropout(), xavier)));
        }
        queryEmbed = addParameter(Parameter.builder().setName("query_embed").setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(config.numQueries(), 2L * d)).optInitializer(new NormalInitializer(1f)).build());
        decoder = addChildBlock("decoder", new DeformableDecoder(config, xavier));
        sine = PositionEmbeddingSine.forModelDim(d);
    }

    /** @return the settings */
    public DeformableDetrConfig config() {
        return config;
    }

    /** @return the backbone (for BatchNorm handling, torchvision import) */
    public ResNet backbone() {
        return backbone;
    }

    /** @return the learned query embeddings {@code [Q, 2d]} (positions then contents) */
    public Parameter queryEmbedParameter() {
        return queryEmbed;
    }

    /** @return the learned level embedding {@code [L, d]} */
    public Parameter levelEmbedParameter() {
        return levelEmbed;
    }

    /**
     * @param p a parameter of this model
     * @return whether it belongs to the backbone (matched by id, as {@code ParameterTracker}s do)
     */
    public boolean isBackboneParameter(Parameter p) {
        if (backboneIds == null) {
            backboneIds = idsOf(List.of(backbone));
        }
        return backboneIds.contains(p.getId());
    }

    /**
     * Deformable DETR trains the backbone, every deformable attention's {@code sampling_offsets} and the decoder's
     * {@code reference_points} at 0.1 x the learning rate ({@code lr_backbone}, {@code lr_linear_proj_mult}).
     *
     * @param p a parameter of this model
     * @return whether it gets the low learning rate (matched by id)
     */
    public boolean isLowLrParameter(Parameter p) {
        if (lowLrIds == null) {
            List<Block> blocks = new ArrayList<>(List.of(backbone, decoder.referencePointsLayer()));
            collect(this, "sampling_offsets", blocks);
            lowLrIds = idsOf(blocks);
        }
        return lowLrIds.contains(p.getId());
    }

    /**
     * @return the names (as in {@link #getParameters()}) of the parameters trained at 0.1 x the learning rate, for
     *     name-based rules such as {@code AdamW.Builder.optLrMultiplier(names::contains, 0.1)}
     */
    public Set<String> lowLrParameterNames() {
        Set<String> names = new HashSet<>();
        for (Pair<String, Parameter> p : getParameters()) {
            if (isLowLrParameter(p.getValue())) {
                names.add(p.getKey());
            }
        }
        return names;
    }

    private static void collect(Block block, String suffix, List<Block> out) {
        for (Pair<String, Block> child : block.getChildren()) {
            if (child.getKey().endsWith(suffix)) {
                out.add(child.getValue());
            } else {
                collect(child.getValue(), suffix, out);
            }
        }
    }

    private static Set<String> idsOf(List<Block> blocks) {
        Set<String> ids = new HashSet<>();
        for (Block b : blocks) {
            for (Parameter q : b.getParameters().values()) {
                ids.add(q.getId());
            }
        }
        return ids;
    }

    /**
     * Runs the detector.
     *
     * @param images {@code [B, 3, H, W]} normalised images (padded to a common size)
     * @param pixelMask {@code [B, H, W]} boolean, true = padding; or null for no padding
     * @param extraQueries {@code [G, 2d]} an extra isolated query group (positions then contents), or null
     * @return the outputs, on the images' manager
     */
    public DetrOutputs forward(ParameterStore ps, NDArray images, NDArray pixelMask, NDArray extraQueries,
            boolean training) {
        NDManager mgr = images.getManager();
        Shape is = images.getShape();
        long b = is.get(0);
        int d = config.hiddenDim();
        NDArray mask = pixelMask != null ? pixelMask : mgr.zeros(new Shape(b, is.get(2), is.get(3)), DataType.BOOLEAN);
        NDList feats; // C3, C4, C5
        try (NDScope scope = new NDScope()) {
            // free the backbone's intermediates at once (DJL keeps every array until its manager closes)
            feats = backbone.forward(ps, new NDList(images), training);
            NDScope.unregister(feats);
        }
        List<NDArray> featMasks = new ArrayList<>();
        for (NDArray f : feats) {
            featMasks.add(FeatureMasks.resize(mask, f.getShape().get(2), f.getShape().get(3)));
        }
        List<NDArray> used = feats.subList(feats.size() - config.backboneLevels(), feats.size());
        List<NDArray> maps = neck.apply(ps, used, training);
        List<NDArray> levelMasks = new ArrayList<>();
        for (NDArray m : maps) {
            levelMasks.add(FeatureMasks.resize(mask, m.getShape().get(2), m.getShape().get(3)));
        }
        SpatialShapes shapes = LevelGeometry.shapesOf(maps);
        NDArray validRatios = LevelGeometry.validRatios(levelMasks); // [B, L, 2]
        NDArray levelPos = mgr.zeros(new Shape(maps.size(), d)).add(ps.getValue(levelEmbed, images.getDevice(),
                training)); // [L, d] on the batch's manager
        NDList pos = new NDList();
        for (int l = 0; l < maps.size(); l++) {
            pos.add(LevelGeometry.sineEmbedding(levelMasks.get(l), sine).add(levelPos.get(l)));
        }
        NDArray posFlat = pos.size() == 1 ? pos.get(0) : ai.djl.ndarray.NDArrays.concat(pos, 1); // [B, S, d]
        NDArray src = LevelGeometry.flattenMaps(maps); // [B, S, d]
        NDArray memMask = LevelGeometry.flattenMasks(levelMasks); // [B, S]
        NDArray encRef = LevelGeometry.perLevel(LevelGeometry.encoderReferencePoints(shapes, validRatios),
                validRatios); // [B, S, L, 2]
        NDArray memory = src;
        if (training && !encoder.isEmpty() && CheckpointedEncoder.wanted(b, shapes, config)) {
            memory = CheckpointedEncoder.forward(encoder, ps, src, posFlat, encRef, shapes, memMask);
        }
        for (DeformableEncoderLayer layer : memory == src ? encoder : List.<DeformableEncoderLayer>of()) {
            // free each layer's intermediates (gigabytes per layer at 800 px); the graph keeps what it needs
            try (NDScope scope = new NDScope()) {
                memory = layer.apply(ps, memory, posFlat, encRef, shapes, memMask, training);
                NDScope.unregister(memory);
            }
        }
        NDArray zeros = mgr.zeros(new Shape(b, 1, 1));
        NDArray queries = zeros.add(ps.getValue(queryEmbed, images.getDevice(), training)); // [B, Q, 2d]
        int q = config.numQueries();
        NDArray all = queries;
        NDArray groupMask = null;
        if (extraQueries != null) {
            Shape es = extraQueries.getShape();
            if (es.dimension() != 2 || es.get(1) != 2L * d) {
                throw new IllegalArgumentException("extra queries must be [G, 2d = " + 2 * d + "] (positions then "
                        + "contents), got " + es);
            }
            // not detached here (as Conditional DETR): a caller feeding a frozen teacher's queries detaches them
            // itself, and a learned adapter in front of them (assignment distillation) must receive its gradient
            all = queries.concat(zeros.add(extraQueries), 1);
            groupMask = isolatingMask(mgr, q, (int) es.get(0));
        }
        NDArray queryPos = all.get("..., :" + d);
        NDArray tgt = all.get("..., " + d + ":");
        DeformableDecoder.Result dec = decoder.apply(ps, tgt, queryPos, memory, shapes, validRatios, memMask,
                groupMask, training);
        NDArray logits = dec.logits();
        NDArray boxes = dec.boxes();
        NDArray hidden = dec.hidden();
        NDArray reference = dec.initialReference();
        DetrOutputs.ExtraGroup extra = null;
        if (extraQueries != null) {
            extra = new DetrOutputs.ExtraGroup(logits.get(":, :, " + q + ":"), boxes.get(":, :, " + q + ":"),
                    hidden.get(":, :, " + q + ":"), reference.get(":, " + q + ":"));
            logits = logits.get(":, :, :" + q);
            boxes = boxes.get(":, :, :" + q);
            hidden = hidden.get(":, :, :" + q);
            reference = reference.get(":, :" + q);
        }
        return new DetrOutputs(logits, boxes, hidden, queries.get(0), reference, memory, memMask, shapes.total(), 1,
                src, feats.subNDList(0), featMasks, extra);
    }

    /**
     * The level shapes of outputs produced by this model: the used backbone levels, then extra levels each
     * {@code ceil(h / 2) x ceil(w / 2)} of the one before.
     *
     * @param outputs this model's outputs
     * @return the L level shapes splitting {@code memory} / {@code encoderInput}
     */
    public SpatialShapes levelShapes(DetrOutputs outputs) {
        List<NDArray> f = outputs.features();
        int levels = config.featureLevels();
        int[] hw = new int[2 * levels];
        int used = config.backboneLevels();
        for (int l = 0; l < levels; l++) {
            if (l < used) {
                Shape s = f.get(f.size() - used + l).getShape();
                hw[2 * l] = (int) s.get(2);
                hw[2 * l + 1] = (int) s.get(3);
            } else {
                hw[2 * l] = (hw[2 * l - 2] + 1) / 2;
                hw[2 * l + 1] = (hw[2 * l - 1] + 1) / 2;
            }
        }
        return SpatialShapes.of(hw);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] in) {
        Shape[] feats = backbone.getOutputShapes(new Shape[] {in[0]});
        Shape[] used = java.util.Arrays.copyOfRange(feats, feats.length - config.backboneLevels(), feats.length);
        long s = 0;
        for (Shape m : neck.getOutputShapes(used)) {
            s += m.get(2) * m.get(3);
        }
        long b = in[0].get(0);
        long l = config.decoderLayers();
        long q = config.numQueries();
        long d = config.hiddenDim();
        List<Shape> out = new ArrayList<>(List.of(new Shape(l, b, q, config.numClasses()), new Shape(l, b, q, 4),
                new Shape(l, b, q, d), new Shape(q, 2 * d), new Shape(b, q, 2), new Shape(b, s, d), new Shape(b, s),
                new Shape(2), new Shape(b, s, d)));
        for (Shape f : feats) {
            out.add(f);
            out.add(new Shape(b, f.get(2), f.get(3)));
        }
        return out.toArray(new Shape[0]);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        backbone.initialize(manager, dataType, inputShapes[0]);
        Shape[] feats = backbone.getOutputShapes(new Shape[] {inputShapes[0]});
        Shape[] used = java.util.Arrays.copyOfRange(feats, feats.length - config.backboneLevels(), feats.length);
        neck.initialize(manager, dataType, used);
        Shape s = new Shape(1, 1, config.hiddenDim());
        for (DeformableEncoderLayer layer : encoder) {
            layer.initialize(manager, dataType, s);
        }
        decoder.initialize(manager, dataType, s);
    }
}
