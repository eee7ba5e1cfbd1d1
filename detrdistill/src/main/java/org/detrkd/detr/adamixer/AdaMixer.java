package org.detrkd.detr.adamixer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;

import org.detrkd.detr.backbone.FeatureMasks;
import org.detrkd.detr.backbone.ResNet;
import org.detrkd.detr.model.AbstractDetector;
import org.detrkd.detr.model.DetrOutputs;
import org.detrkd.detr.ops.SpatialShapes;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * AdaMixer (Gao et al., CVPR 2022), encoder-free: ResNet C3-C5 -> {@link AdaMixerNeck} (d channels, strides 8-32 and
 * optionally 64) -> {@code stages} x {@link AdaMixerStage} on Q learned queries, each a content vector (N(0, 1)) and
 * an initial box (normalised cx, cy, w, h, learned, initialised to the whole image (0.5, 0.5, 1, 1)) turned into
 * {@link Xyzr} positions. Every stage predicts class logits and refines the positions; positions are detached between
 * stages (as AdaMixer / Sparse R-CNN).
 *
 * <p>Same forward contract as {@code ConditionalDetr}: input {@code (images [B, 3, H, W], pixelMask [B, H, W] true =
 * padding [, extraQueries [G, d + 4]])}, output the {@link DetrOutputs} layout. An extra query group row is a content
 * vector followed by an initial box (normalised cx, cy, w, h) - {@link #queryGroup} of a teacher gives its own, and
 * so does {@link DetrOutputs#queryPrior()} of its outputs; the group is not detached here (a caller feeding a frozen
 * teacher's queries detaches them), it is blocked from the main queries in the self-attention (both ways), and
 * sampling / mixing are per query, so the main outputs do not depend on it. Training only: evaluation uses the main
 * queries.
 *
 * <p>What distillation reads in {@link DetrOutputs}: {@code hidden} = per-stage query content {@code [L, B, Q, d]};
 * {@code queryEmbed} = the content embeddings {@code [Q, d]}; {@code referencePoints} = the initial box centres
 * {@code [B, Q, 2]}; {@code queryBoxes} = the learned initial boxes {@code [Q, 4]} (so {@code queryPrior()} is the
 * whole query, {@code [Q, d + 4]}); {@code features} / {@code featureMasks} = the NECK levels AdaMixer samples from
 * ({@code [B, d, H_l, W_l]}, strides 8, 16, 32 (, 64)) - not the raw backbone levels as for Conditional DETR;
 * {@code memory} and {@code encoderInput} = the finest neck level (stride 8) flattened {@code [B, H*W, d]} with its
 * mask and shape (there is no encoder).
 *
 * <p>Boxes: (x, y) are pixels of the input tensor and w, h come from z, r; output boxes are normalised by the unpadded
 * image size read from the pixel mask (so padding is handled as DETR's). Memory: arrays created per forward belong to
 * the images' manager (parameters enter as second operands).
 */
public final class AdaMixer extends AbstractDetector {

    private final AdaMixerConfig config;
    private final ResNet backbone;
    private final AdaMixerNeck neck;
    private final List<AdaMixerStage> stages = new ArrayList<>();
    private final Parameter content;
    private final Parameter proposals;
    private volatile Set<String> backboneIds;

    /** @param config the settings */
    public AdaMixer(AdaMixerConfig config) {
        this.config = config;
        int d = config.hiddenDim();
        backbone = addChildBlock("backbone", new ResNet(config.backbone()));
        neck = addChildBlock("neck", new AdaMixerNeck(d, 3, config.extraLevel()));
        for (int i = 0; i < config.stages(); i++) {
            stages.add(addChildBlock("stages." + i, new AdaMixerStage(config)));
        }
        content = addParameter(Parameter.builder().setName("query_content").setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(config.numQueries(), d)).optInitializer(new NormalInitializer(1f)).build());
        proposals = addParameter(Parameter.builder().setName("init_proposal_boxes").setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(config.numQueries(), 4))
                .optInitializer((m, shape, type) -> m.create(new float[] {0.5f, 0.5f, 1f, 1f}).toType(type, false)
                        .broadcast(shape).duplicate()).build());
    }

    /** @return the settings */
    public AdaMixerConfig config() {
        return config;
    }

    /** @return the backbone */
    public ResNet backbone() {
        return backbone;
    }

    /** @return the decoder stages */
    public List<AdaMixerStage> stages() {
        return List.copyOf(stages);
    }

    /** @return the query content parameter {@code [Q, d]} */
    public Parameter queryContentParameter() {
        return content;
    }

    /** @return the initial box parameter {@code [Q, 4]} normalised (cx, cy, w, h) */
    public Parameter proposalParameter() {
        return proposals;
    }

    /**
     * @param manager where to put the copy
     * @return {@code [Q, d + 4]} this model's queries (content, initial box), detached, to feed another AdaMixer of the
     *     same d as its extra group
     */
    public NDArray queryGroup(NDManager manager) {
        NDArray c = content.getArray().duplicate();
        NDArray p = proposals.getArray().duplicate();
        c.attach(manager);
        p.attach(manager);
        return c.concat(p, 1).stopGradient();
    }

    /** @return whether the parameter belongs to the backbone (matched by id) */
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

    /**
     * Runs the detector.
     *
     * @param images {@code [B, 3, H, W]} normalised images (padded to a common size)
     * @param pixelMask {@code [B, H, W]} boolean, true = padding; or null for none
     * @param extraQueries {@code [G, d + 4]} an extra isolated query group, or null
     * @return the outputs, on the images' manager
     */
    public DetrOutputs forward(ParameterStore ps, NDArray images, NDArray pixelMask, NDArray extraQueries,
            boolean training) {
        NDManager mgr = images.getManager();
        Shape is = images.getShape();
        long b = is.get(0);
        int height = (int) is.get(2);
        int width = (int) is.get(3);
        int d = config.hiddenDim();
        int q = config.numQueries();
        NDArray mask = pixelMask != null ? pixelMask : mgr.zeros(new Shape(b, height, width), DataType.BOOLEAN);
        NDList feats; // C3, C4, C5
        try (NDScope scope = new NDScope()) {
            // free the backbone's temporaries at once (the graph keeps what its backward reads)
            feats = backbone.forward(ps, new NDList(images), training);
            NDScope.unregister(feats);
        }
        List<NDArray> levels = neck.apply(ps, feats, training);
        List<NDArray> masks = new ArrayList<>();
        int[] hw = new int[2 * levels.size()];
        NDList flat = new NDList();
        for (int l = 0; l < levels.size(); l++) {
            Shape s = levels.get(l).getShape();
            hw[2 * l] = (int) s.get(2);
            hw[2 * l + 1] = (int) s.get(3);
            masks.add(FeatureMasks.resize(mask, s.get(2), s.get(3)));
            flat.add(levels.get(l).reshape(b, d, s.get(2) * s.get(3)).transpose(0, 2, 1));
        }
        SpatialShapes shapes = SpatialShapes.of(hw);
        NDArray value = NDArrays.concat(flat, 1); // [B, S, d]
        NDArray validWh = validSizes(mask, width, height); // [B, 1, 2]

        NDArray zeros = mgr.zeros(new Shape(b, 1, 1));
        NDArray contentEmbed = zeros.add(ps.getValue(content, images.getDevice(), training)); // [B, Q, d]
        NDArray boxes0 = zeros.add(ps.getValue(proposals, images.getDevice(), training)); // [B, Q, 4]
        NDArray priorBoxes = boxes0.get(0); // [Q, 4]
        NDArray query = contentEmbed;
        NDArray groupMask = null;
        if (extraQueries != null) {
            // not detached here (as Conditional DETR): a caller feeding a frozen teacher's queries detaches them
            // itself (queryGroup does), and a learned adapter in front of them must receive its gradient
            NDArray extra = zeros.add(extraQueries); // [B, G, d + 4]
            query = query.concat(extra.get(":, :, :" + d), 1);
            boxes0 = boxes0.concat(extra.get(":, :, " + d + ":"), 1);
            groupMask = isolatingMask(mgr, q, (int) extraQueries.getShape().get(0));
        }
        NDArray xyzr = Xyzr.fromBoxes(boxes0, validWh);
        NDList logits = new NDList();
        NDList boxes = new NDList();
        NDList hidden = new NDList();
        int[] strides = config.strides();
        for (AdaMixerStage stage : stages) {
            AdaMixerStage.Result r = stage.apply(ps, query, xyzr, value, shapes, strides, width, height, groupMask,
                    training);
            query = r.content();
            logits.add(r.logits());
            boxes.add(Xyzr.toBoxes(r.xyzr(), validWh));
            hidden.add(query);
            xyzr = r.xyzr().stopGradient();
        }
        NDArray allLogits = NDArrays.stack(logits, 0);
        NDArray allBoxes = NDArrays.stack(boxes, 0);
        NDArray allHidden = NDArrays.stack(hidden, 0);
        NDArray reference = boxes0.get(":, :, :2");
        DetrOutputs.ExtraGroup extraGroup = null;
        if (extraQueries != null) {
            extraGroup = new DetrOutputs.ExtraGroup(allLogits.get(":, :, " + q + ":"),
                    allBoxes.get(":, :, " + q + ":"), allHidden.get(":, :, " + q + ":"), reference.get(":, " + q + ":"));
            allLogits = allLogits.get(":, :, :" + q);
            allBoxes = allBoxes.get(":, :, :" + q);
            allHidden = allHidden.get(":, :, :" + q);
            reference = reference.get(":, :" + q);
        }
        NDArray memory = flat.get(0);
        NDArray memoryMask = masks.get(0).reshape(b, (long) hw[0] * hw[1]);
        return new DetrOutputs(allLogits, allBoxes, allHidden, contentEmbed.get(0), reference, memory, memoryMask,
                hw[0], hw[1], memory.reshape(memory.getShape()), levels, masks, extraGroup, priorBoxes);
    }

    /** @return {@code [B, 1, 2]} the unpadded (width, height) of each image in pixels */
    static NDArray validSizes(NDArray mask, int width, int height) {
        long b = mask.getShape().get(0);
        NDArray valid = mask.logicalNot().toType(DataType.FLOAT32, false);
        NDArray w = valid.get(":, 0, :").sum(new int[] {1});
        NDArray h = valid.get(":, :, 0").sum(new int[] {1});
        return NDArrays.stack(new NDList(w, h), 1).reshape(b, 1, 2).clip(1f, (float) Math.max(width, height));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] in) {
        Shape[] feats = neck.getOutputShapes(backbone.getOutputShapes(new Shape[] {in[0]}));
        long b = in[0].get(0);
        long l = config.stages();
        long q = config.numQueries();
        long d = config.hiddenDim();
        long s = feats[0].get(2) * feats[0].get(3);
        List<Shape> out = new ArrayList<>(List.of(new Shape(l, b, q, config.numClasses()), new Shape(l, b, q, 4),
                new Shape(l, b, q, d), new Shape(q, d), new Shape(b, q, 2), new Shape(b, s, d), new Shape(b, s),
                new Shape(2), new Shape(b, s, d)));
        for (Shape f : feats) {
            out.add(f);
            out.add(new Shape(b, f.get(2), f.get(3)));
        }
        out.add(new Shape(q, 4)); // query_boxes
        return out.toArray(new Shape[0]);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        backbone.initialize(manager, dataType, inputShapes[0]);
        neck.initialize(manager, dataType, backbone.getOutputShapes(new Shape[] {inputShapes[0]}));
        Shape s = new Shape(1, 1, config.hiddenDim());
        for (AdaMixerStage stage : stages) {
            stage.initialize(manager, dataType, s);
        }
    }
}
