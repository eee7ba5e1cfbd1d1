package org.detrkd.detr.engine;

import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * What a replica of a data-parallel step knows about the whole step while it computes its losses on its shard: its
 * index, the number of replicas and the batch-wide target count that DETR all-reduces ({@code num_boxes}).
 *
 * <p>The {@link TrainingLoop} sets it (thread-locally) around each replica's teacher forward and
 * {@link TrainingTask#losses} in a data-parallel step, and never in single-device training or validation, where
 * {@link #current()} is empty. A criterion that normalises by the number of ground-truth boxes reads
 * {@link #targetsPerReplica()} instead of counting its shard's boxes: DETR's
 * {@code num_boxes = clamp(all_reduce(sum of local counts) / world_size, min=1)}, so that after the gradients are
 * averaged over replicas every box term equals the single-device term of the whole batch
 * ({@code org.detrkd.detr.loss.SetCriterion#numBoxes}).
 *
 * @param replica this replica's index (0 is the primary)
 * @param replicas number of replicas of the step
 * @param globalTargetCount the whole batch's target count ({@link TrainingTask#targetCount}), empty when the task
 *     has none
 */
public record ReplicaContext(int replica, int replicas, OptionalLong globalTargetCount) {

    private static final ThreadLocal<ReplicaContext> CURRENT = new ThreadLocal<>();

    /** Checks the indices. */
    public ReplicaContext {
        if (replicas < 1 || replica < 0 || replica >= replicas) {
            throw new IllegalArgumentException("replica " + replica + " of " + replicas);
        }
        globalTargetCount = globalTargetCount == null ? OptionalLong.empty() : globalTargetCount;
    }

    /**
     * @return the context of the data-parallel replica running on this thread; empty outside a data-parallel step
     */
    public static Optional<ReplicaContext> current() {
        return Optional.ofNullable(CURRENT.get());
    }

    /**
     * DETR's per-replica box normaliser: the whole batch's count divided by the number of replicas (a replica's
     * share; not clamped here).
     *
     * @return {@code globalTargetCount / replicas}, empty when there is no global count
     */
    public OptionalDouble targetsPerReplica() {
        return globalTargetCount.isPresent()
                ? OptionalDouble.of((double) globalTargetCount.getAsLong() / replicas)
                : OptionalDouble.empty();
    }

    /**
     * Makes this the current context of the calling thread until the returned scope is closed.
     *
     * @return the scope (restores the previous context when closed)
     */
    public Scope enter() {
        ReplicaContext previous = CURRENT.get();
        CURRENT.set(this);
        return () -> {
            if (previous == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(previous);
            }
        };
    }

    /** An entered context; closing it restores the previous one. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }
}
