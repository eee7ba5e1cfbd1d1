package org.detrkd.detr.detrdistill;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.detrkd.detr.distill.DetectorDescription;
import org.detrkd.detr.distill.DistillationContext;
import org.detrkd.detr.distill.DistillationInputs;
import org.detrkd.detr.distill.DistillationMethod;
import org.detrkd.detr.model.DetrOutputs;

/**
 * DETRDistill (Chang et al., ICCV 2023) as a {@link DistillationMethod}: {@link LogitsDistillation} (LD),
 * {@link FeatureDistillation} (FD) and {@link AssignmentDistillation} (AD), each switchable, with the settings of
 * {@link DetrDistillSettings}. Total loss {@code L_det + lambda_1 L_logitsKD + lambda_2 L_featKD + lambda_3
 * L_assignKD}, (1, 20, 1) in the paper preset; the engine applies these weights through {@link #weights()}.
 * Adapters (trainable, in {@link #adapters()}): {@code phi} of FD (student width to teacher width) and the query
 * adapter of AD (teacher width to student width), each only when the widths differ.
 *
 * <p>Detectors (teacher and student the same one): LD reads per-stage logits and boxes, identical for all three. FD
 * reads the encoder output (or input) of Conditional and Deformable DETR (Deformable: all levels flattened) and the
 * multi-level neck maps of AdaMixer, which has no encoder ({@link FeatureDistillation}). AD feeds the teacher's query
 * prior in the student's extra-group form: Conditional DETR's query embeddings, Deformable DETR's query_pos + content,
 * AdaMixer's content vectors + initial boxes ({@link AssignmentDistillation#extraQueries}).
 */
public final class DetrDistill implements DistillationMethod {

    /** Registry name. */
    public static final String NAME = "detrdistill";

    private final DetrDistillSettings settings;
    private final int teacherStages;
    private final LogitsDistillation logits;
    private final FeatureDistillation feature;
    private final AssignmentDistillation assignment;
    private final Adapters adapters;

    /**
     * @param settings the options
     * @param context teacher and student settings
     * @param manager the student's manager (adapters are initialised there)
     */
    public DetrDistill(DetrDistillSettings settings, DistillationContext context, NDManager manager) {
        this.settings = settings;
        this.teacherStages = context.teacher().decoderLayers();
        int dt = context.teacher().hiddenDim();
        int ds = context.student().hiddenDim();
        // AdaMixer's query prior ends with 4 box columns, which pass the AD adapter unchanged
        int boxes = context.detector().equals(DetectorDescription.ADAMIXER) ? 4 : 0;
        int queryIn = context.teacher().queryPriorWidth() - boxes;
        int queryOut = context.student().queryPriorWidth() - boxes;
        Linear phi = settings.feature() && dt != ds ? Linear.builder().setUnits(dt).build() : null;
        Linear query = settings.assignment() && dt != ds ? Linear.builder().setUnits(queryOut).build() : null;
        adapters = new Adapters(phi, ds, query, queryIn);
        adapters.initialize(manager, DataType.FLOAT32, new Shape(1));
        logits = settings.logits() ? new LogitsDistillation(settings) : null;
        feature = settings.feature() ? new FeatureDistillation(settings, phi, !context.teacher().hasEncoder()) : null;
        assignment = settings.assignment() ? new AssignmentDistillation(settings, query, boxes) : null;
    }

    /**
     * The registry's factory.
     *
     * @param context teacher and student settings
     * @param manager the student's manager
     * @param preset {@code paper} (null: the default) or {@code released-code}
     * @param options individual overrides by option name
     * @return the method
     */
    public static DetrDistill create(DistillationContext context, NDManager manager, String preset,
            Map<String, String> options) {
        return new DetrDistill(DetrDistillSettings.of(preset, options), context, manager);
    }

    /** @return the target-aware feature distillation, when it is on (for drawing its selection masks) */
    public Optional<FeatureDistillation> featureDistillation() {
        return Optional.ofNullable(feature);
    }

    /** @return the settings */
    public DetrDistillSettings detrDistillSettings() {
        return settings;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Optional<Block> adapters() {
        return adapters.getParameters().isEmpty() ? Optional.empty() : Optional.of(adapters);
    }

    @Override
    public Map<String, Double> weights() {
        Map<String, Double> w = new LinkedHashMap<>();
        if (logits != null) {
            w.putAll(logits.weights());
        }
        if (feature != null) {
            w.putAll(feature.weights(teacherStages));
        }
        if (assignment != null) {
            w.putAll(assignment.weights());
        }
        return w;
    }

    @Override
    public NDArray extraQueries(ParameterStore ps, DetrOutputs teacher) {
        return assignment == null ? null : assignment.extraQueries(ps, teacher);
    }

    @Override
    public Map<String, NDArray> losses(ParameterStore ps, DistillationInputs in, boolean training) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        if (logits != null) {
            out.putAll(logits.losses(in));
        }
        if (feature != null) {
            out.putAll(feature.losses(ps, in, training));
        }
        if (assignment != null) {
            out.putAll(assignment.losses(in));
        }
        return out;
    }

    @Override
    public Map<String, Object> settings() {
        return settings.toMap();
    }

    /** The trainable adapters: children {@code phi} (FD) and {@code query} (AD), each only if needed. */
    static final class Adapters extends AbstractBlock {
        private final Linear phi;
        private final int phiIn;
        private final Linear query;
        private final int queryIn;

        Adapters(Linear phi, int phiIn, Linear query, int queryIn) {
            this.phi = phi == null ? null : addChildBlock("phi", phi);
            this.phiIn = phiIn;
            this.query = query == null ? null : addChildBlock("query", query);
            this.queryIn = queryIn;
        }

        @Override
        protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> p) {
            throw new IllegalStateException("DETRDistill adapters are called by the components");
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            return new Shape[0];
        }

        @Override
        protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
            if (phi != null) {
                phi.initialize(manager, dataType, new Shape(1, phiIn));
            }
            if (query != null) {
                query.initialize(manager, dataType, new Shape(1, queryIn));
            }
        }
    }
}
