package org.detrkd.baselines.kd;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.detrkd.detr.distill.DistillationContext;
import org.detrkd.detr.distill.DistillationInputs;
import org.detrkd.detr.distill.DistillationMethod;

/**
 * Shared shell of the feature-distillation baselines behind the KD interface: reads the student's and the teacher's
 * maps of one {@link FeatureSource} (all levels, looped inside the baseline block; the levels of each detector as its
 * {@code DetectorDescription} in the {@link DistillationContext} says), hands them to the method's loss
 * block and returns its unweighted terms; the weights come from the block's {@code XxxSettings.weightDict()}.
 */
abstract class FeatureKdMethod implements DistillationMethod {

    private final String name;
    private final DistillationContext context;
    protected final FeatureSource source;
    private final Block adapters;
    private final Map<String, Double> weights;
    private final Map<String, Object> settings;

    /**
     * @param adapters the trainable blocks (initialised here on {@code manager})
     * @param settings every setting, for {@code spec.json}
     */
    FeatureKdMethod(String name, DistillationContext context, FeatureSource source, Block adapters, NDManager manager,
            Map<String, Double> weights, Map<String, Object> settings) {
        this.name = name;
        this.context = context;
        this.source = source;
        this.adapters = adapters;
        adapters.initialize(manager, DataType.FLOAT32);
        this.weights = Collections.unmodifiableMap(new LinkedHashMap<>(weights));
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("source", source.option());
        s.putAll(settings);
        this.settings = Collections.unmodifiableMap(s);
    }

    /** The terms of one batch from the source's maps, per level {@code [B, C_l, H_l, W_l]}. */
    abstract Map<String, NDArray> terms(ParameterStore ps, List<NDArray> student, List<NDArray> teacher,
            DistillationInputs in, boolean training);

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final Optional<Block> adapters() {
        return adapters.getParameters().isEmpty() ? Optional.empty() : Optional.of(adapters);
    }

    @Override
    public final Map<String, Double> weights() {
        return weights;
    }

    @Override
    public Map<String, NDArray> losses(ParameterStore ps, DistillationInputs in, boolean training) {
        return terms(ps, source.levels(in.student(), context.student()),
                source.levels(in.teacher(), context.teacher()), in, training);
    }

    /** @return the padding masks of the student's levels of the source, per level {@code [B, H_l, W_l]} */
    List<NDArray> studentMasks(DistillationInputs in) {
        return source.masks(in.student(), context.student());
    }

    @Override
    public final Map<String, Object> settings() {
        return settings;
    }

    /** @throws IllegalArgumentException unless {@code preset} is null or one of {@code known} */
    static void checkPreset(String method, String preset, String... known) {
        if (preset == null) {
            return;
        }
        for (String k : known) {
            if (k.equals(preset)) {
                return;
            }
        }
        throw new IllegalArgumentException("unknown " + method + " preset '" + preset + "'; known: "
                + String.join(", ", known));
    }
}
