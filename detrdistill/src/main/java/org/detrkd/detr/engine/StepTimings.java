package org.detrkd.detr.engine;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * Wall time accumulated per phase of the training step, to see where the time goes. On the CPU the PyTorch engine
 * runs ops eagerly and synchronously, so a phase's wall time is its compute time; on a GPU a phase would also absorb
 * earlier queued work.
 */
public final class StepTimings {

    /** The phases of one step, in execution order. */
    public enum Phase {
        /** Loading and batching the samples. */
        DATA,
        /** The frozen teacher's forward pass (distillation only). */
        TEACHER,
        /** Student forward, criterion and loss weighting, inside the gradient collector (data-parallel: summed over
         * the replicas, which run one after another, as are the teacher and backward phases). */
        FORWARD,
        /** Back-propagation. */
        BACKWARD,
        /** Reading the gradients into one flat array per group (data-parallel: and averaging the replicas' flat
         * gradients and terms into the primary's), the global norm, the single host read of loss values and norm,
         * the finiteness check and the scaling. */
        CLIP,
        /** AdamW update and zeroing of the gradients (data-parallel: and copying the updated parameters to the
         * other replicas). */
        OPTIMIZER,
        /** Closing the step's arrays, logging. */
        OTHER,
        /** Writing checkpoints. */
        CHECKPOINT
    }

    private final EnumMap<Phase, Long> nanos = new EnumMap<>(Phase.class);
    private long steps;

    /**
     * @param phase the phase
     * @param elapsedNanos time to add
     */
    public void add(Phase phase, long elapsedNanos) {
        nanos.merge(phase, elapsedNanos, Long::sum);
    }

    /** Counts one completed step. */
    public void countStep() {
        steps++;
    }

    /**
     * @return completed steps since the last reset
     */
    public long steps() {
        return steps;
    }

    /**
     * @param phase the phase
     * @return accumulated seconds
     */
    public double seconds(Phase phase) {
        return nanos.getOrDefault(phase, 0L) / 1e9;
    }

    /**
     * @return mean milliseconds per step for every phase (zero phases included), in phase order
     */
    public Map<Phase, Double> meanMillisPerStep() {
        Map<Phase, Double> out = new EnumMap<>(Phase.class);
        for (Phase p : Phase.values()) {
            out.put(p, steps == 0 ? 0.0 : nanos.getOrDefault(p, 0L) / 1e6 / steps);
        }
        return out;
    }

    /** Clears all counters. */
    public void reset() {
        nanos.clear();
        steps = 0;
    }

    /**
     * @return e.g. {@code "forward 12.1 ms, backward 20.3 ms, ..."} per step
     */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<Phase, Double> e : meanMillisPerStep().entrySet()) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append(e.getKey().name().toLowerCase(Locale.ROOT))
                    .append(String.format(Locale.ROOT, " %.2f ms", e.getValue()));
        }
        return sb.toString();
    }
}
