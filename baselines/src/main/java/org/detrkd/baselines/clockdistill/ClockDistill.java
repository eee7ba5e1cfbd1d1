package org.detrkd.baselines.clockdistill;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.detrkd.detr.distill.DetectorDescription;
import org.detrkd.detr.distill.DistillationContext;
import org.detrkd.detr.distill.MemoryLevels;
import org.detrkd.detr.distill.DistillationInputs;
import org.detrkd.detr.distill.DistillationMethod;
import org.detrkd.detr.matching.ImageTargets;
import org.detrkd.detr.model.DetrOutputs;
import org.detrkd.detr.util.Scalars;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CLoCKDistill (Lan and Tian; abstract only, code not public) as a {@link DistillationMethod}, in OUR simple form;
 * every hyper-parameter is in {@link ClockDistillSettings} and marked as ours.
 *
 * <ul>
 *   <li>{@link #MEMORY} (location-enriched memory distillation): {@code sum_{b,s} w_bs mean_d((A(M_S) - M_T)^2) /
 *       sum w}, {@code M [B, S, d]} the encoder outputs, {@code A} a learned linear adapter (only when the widths
 *       differ, unless {@code memory-adapter=true}), {@code w} the {@link GtLocationWeights} ({@code 1 + beta} inside
 *       GT boxes, 1 elsewhere, 0 on padding).
 *   <li>{@link #QUERY_CLS}, {@link #QUERY_BOX} (target-aware logit distillation): the {@link TargetQueries} (a fixed
 *       sine encoding of every GT box) are decoded by BOTH detectors as an extra isolated query group; on the final
 *       decoder stage, for the real (non-padding) queries, the soft-target BCE {@code sum_K softplus(s) - sigmoid(t) s}
 *       between class logits and the L1 between boxes, each divided by the number of GT queries.
 * </ul>
 * Detectors: Conditional DETR and Deformable DETR (memory: all its levels, GT weights per level; target queries
 * {@code [G, 2d]} = the box encoding as query_pos and zero content); AdaMixer has no encoder and is refused at
 * construction. The query terms need both detectors to decode the same {@link #targetQueries}:
 * {@code DistillationTask} asks for
 * them once per detector and batch and feeds them to the teacher (outside the gradient) and the student.
 */
public final class ClockDistill implements DistillationMethod {

    /** Registry name. */
    public static final String NAME = "clockdistill";
    /** Memory term. */
    public static final String MEMORY = "kd_clock_memory";
    /** Target-query class term. */
    public static final String QUERY_CLS = "kd_clock_query_cls";
    /** Target-query box term. */
    public static final String QUERY_BOX = "kd_clock_query_box";

    private static final Logger LOG = LoggerFactory.getLogger(ClockDistill.class);

    private final ClockDistillSettings settings;
    private final Adapter adapter;
    private final DetectorDescription studentDescription;
    private boolean warned;

    /**
     * @param settings the options
     * @param context teacher and student settings
     * @param manager the student's manager (the adapter is initialised there)
     */
    public ClockDistill(ClockDistillSettings settings, DistillationContext context, NDManager manager) {
        if (!context.student().hasEncoder()) {
            throw new IllegalArgumentException("clockdistill distils an encoder's output and " + context.detector()
                    + " has no encoder: use conditional-detr or deformable-detr");
        }
        this.settings = settings;
        this.studentDescription = context.student();
        int dt = context.teacher().hiddenDim();
        int ds = context.student().hiddenDim();
        boolean adapt = settings.memory() && (dt != ds || settings.alwaysAdapt());
        adapter = new Adapter(adapt ? Linear.builder().setUnits(dt).build() : null, ds);
        adapter.initialize(manager, DataType.FLOAT32, new Shape(1, ds));
    }

    /** The registry's factory: preset {@code ours} (null), options {@link ClockDistillSettings#OPTIONS}. */
    public static ClockDistill create(DistillationContext context, NDManager manager, String preset,
            Map<String, String> options) {
        return new ClockDistill(ClockDistillSettings.of(preset, options), context, manager);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Optional<Block> adapters() {
        return adapter.getParameters().isEmpty() ? Optional.empty() : Optional.of(adapter);
    }

    @Override
    public Map<String, Double> weights() {
        Map<String, Double> w = new LinkedHashMap<>();
        if (settings.memory()) {
            w.put(MEMORY, settings.lambdaMemory());
        }
        if (settings.queries()) {
            w.put(QUERY_CLS, settings.lambdaQueryCls());
            w.put(QUERY_BOX, settings.lambdaQueryBox());
        }
        return w;
    }

    @Override
    public Map<String, NDArray> losses(ParameterStore ps, DistillationInputs in, boolean training) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        if (settings.memory()) {
            out.put(MEMORY, memoryLoss(ps, in.student(), in.teacher(), in.targets(), training));
        }
        if (settings.queries()) {
            DetrOutputs.ExtraGroup s = in.student().extra();
            DetrOutputs.ExtraGroup t = in.teacher().extra();
            if (s != null && t != null && s.logits().getShape().get(2) == t.logits().getShape().get(2)) {
                NDArray valid = TargetQueries.of(in.targets(), 8, in.student().logits().getManager()).valid();
                if (valid.getShape().get(1) != s.logits().getShape().get(2)) {
                    throw new IllegalStateException("the extra query group has " + s.logits().getShape().get(2)
                            + " queries, the batch " + valid.getShape().get(1) + " target queries");
                }
                out.putAll(queryLosses(s, t, valid));
            } else if (training && !warned) {
                warned = true;
                LOG.warn("CLoCKDistill: no target-query group decoded by both detectors in this batch: query terms "
                        + "skipped (memory term only)");
            }
        }
        return out;
    }

    /**
     * The target-aware query group of a batch at one detector's width, or null when the query terms are off.
     *
     * @param targets the batch's targets
     * @param width the detector's {@code d}
     * @param manager the batch's manager
     * @return {@code [G, d]} queries (see {@link TargetQueries})
     */
    @Override
    public NDArray targetQueries(List<ImageTargets> targets, int width, NDManager manager) {
        if (!settings.queries()) {
            return null;
        }
        NDArray q = TargetQueries.of(targets, width, manager).queries(); // [G, d]
        // Deformable DETR's group is [G, 2d] (query_pos then content): the box encoding is the query position, the
        // content starts at zero, as Conditional DETR's decoder starts its content
        boolean deformable = studentDescription.queryPriorWidth() == 2 * studentDescription.hiddenDim();
        return deformable ? q.concat(q.zerosLike(), 1) : q;
    }

    /** @return the weighted memory MSE (scalar) */
    NDArray memoryLoss(ParameterStore ps, DetrOutputs student, DetrOutputs teacher, List<ImageTargets> targets,
            boolean training) {
        NDArray ms = adapter.apply(ps, student.memory(), training); // [B, S, d_T]
        NDArray mt = teacher.memory().stopGradient();
        float[] weights = locationWeights(student, targets);
        double total = 0;
        for (float v : weights) {
            total += v;
        }
        NDArray wa;
        try (NDArray tmp = ms.getManager().create(weights, new Shape(targets.size(), ms.getShape().get(1)))) {
            wa = tmp.duplicate();
        }
        NDArray perPosition = ms.sub(mt).square().mean(new int[] {2}); // [B, S]
        return Scalars.div(perPosition.mul(wa).sum(), Math.max(total, 1e-6));
    }

    /**
     * The {@link GtLocationWeights} of the student's memory: one grid for a single-level memory, per level (each on
     * its own grid, concatenated per image in the memory's level order) for Deformable DETR's multi-level memory.
     *
     * @return {@code [B * S]} row-major weights
     */
    private float[] locationWeights(DetrOutputs o, List<ImageTargets> targets) {
        List<int[]> shapes = MemoryLevels.shapes(o, studentDescription);
        if (shapes.size() == 1) {
            return GtLocationWeights.compute(targets, o.memoryMask(), o.memoryHeight(), o.memoryWidth(),
                    settings.beta());
        }
        int b = targets.size();
        int total = (int) o.memory().getShape().get(1);
        float[] out = new float[b * total];
        List<NDArray> masks = MemoryLevels.masks(o.memoryMask(), shapes);
        int offset = 0;
        for (int l = 0; l < shapes.size(); l++) {
            int h = shapes.get(l)[0];
            int w = shapes.get(l)[1];
            float[] level = GtLocationWeights.compute(targets, masks.get(l).reshape(b, (long) h * w), h, w,
                    settings.beta());
            for (int i = 0; i < b; i++) {
                System.arraycopy(level, i * h * w, out, i * total + offset, h * w);
            }
            offset += h * w;
        }
        return out;
    }

    /**
     * @param valid {@code [B, G]} 1 for a real GT query
     * @return {@link #QUERY_CLS}, {@link #QUERY_BOX} on the final stage of both groups
     */
    static Map<String, NDArray> queryLosses(DetrOutputs.ExtraGroup student, DetrOutputs.ExtraGroup teacher,
            NDArray valid) {
        long ls = student.logits().getShape().get(0);
        long lt = teacher.logits().getShape().get(0);
        NDArray s = student.logits().get(ls - 1); // [B, G, K]
        NDArray p = Activation.sigmoid(teacher.logits().get(lt - 1).stopGradient());
        double n = Math.max(1.0, sum(valid));
        NDArray bce = Activation.softPlus(s).sub(p.mul(s)).sum(new int[] {2}); // [B, G]
        NDArray l1 = student.boxes().get(ls - 1).sub(teacher.boxes().get(lt - 1).stopGradient()).abs()
                .sum(new int[] {2});
        Map<String, NDArray> out = new LinkedHashMap<>();
        out.put(QUERY_CLS, Scalars.div(bce.mul(valid).sum(), n));
        out.put(QUERY_BOX, Scalars.div(l1.mul(valid).sum(), n));
        return out;
    }

    private static double sum(NDArray a) {
        double s = 0;
        for (float v : a.toFloatArray()) {
            s += v;
        }
        return s;
    }

    @Override
    public Map<String, Object> settings() {
        return settings.toMap();
    }

    /** The trainable memory adapter (a linear map student width to teacher width), or identity without one. */
    static final class Adapter extends AbstractBlock {
        private final Linear linear;
        private final int in;

        Adapter(Linear linear, int in) {
            this.linear = linear == null ? null : addChildBlock("memory", linear);
            this.in = in;
        }

        NDArray apply(ParameterStore ps, NDArray x, boolean training) {
            return linear == null ? x : linear.forward(ps, new NDList(x), training).singletonOrThrow();
        }

        @Override
        protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
                PairList<String, Object> p) {
            return new NDList(apply(ps, inputs.singletonOrThrow(), training));
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            return inputShapes;
        }

        @Override
        protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
            if (linear != null) {
                linear.initialize(manager, dataType, new Shape(1, in));
            }
        }
    }
}
