package org.detrkd.detr.distill;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import java.util.Map;
import java.util.Optional;

/**
 * The KD-off control {@code none}: no terms, no adapters. A {@link DistillationTask} with it still runs the frozen
 * teacher every step (so the whole distillation machinery is exercised) but must train exactly like plain detection
 * training with the same seed: the teacher forward runs in evaluation mode, draws no random numbers and adds nothing
 * to the graph (checked bit for bit by {@code DistillationTaskTest}).
 */
public final class NoDistillation implements DistillationMethod {

    /** Registry name. */
    public static final String NAME = "none";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Optional<Block> adapters() {
        return Optional.empty();
    }

    @Override
    public Map<String, Double> weights() {
        return Map.of();
    }

    @Override
    public Map<String, NDArray> losses(ParameterStore ps, DistillationInputs in, boolean training) {
        return Map.of();
    }
}
