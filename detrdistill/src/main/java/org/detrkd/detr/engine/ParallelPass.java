package org.detrkd.detr.engine;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import org.detrkd.detr.engine.StepTimings.Phase;
import org.detrkd.detr.ops.GradientCheckpoint;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * The forward and backward half of a data-parallel training step ({@link DataParallel}), up to averaged gradients:
 * the batch (loaded on the primary) split into one contiguous shard per replica; per replica, reseeded with
 * {@link StepSeeds#replicaSeed}, the frozen teacher on its shard, then forward, loss weighting and backward in its
 * own gradient collector, with the whole batch's target count in {@link ReplicaContext} (DETR's global box
 * normaliser); then the replicas' flat gradient buckets summed into the primary's and divided by N (an all-reduce
 * mean), and the terms averaged likewise. {@link TrainingLoop} does the rest of the step (host read, divergence
 * check, clipping, AdamW on the primary, broadcast) exactly as on one device.
 */
final class ParallelPass {

    private ParallelPass() {}

    /**
     * @param replicas all replicas, primary first
     * @param task the primary's task (for the batch's target count)
     * @param weights loss-term weights
     * @param optimizer the primary's optimizer (for its flat gradient buckets)
     * @param seed the run's seed
     * @param step the step being taken
     * @param batch the whole batch, on the primary, in {@code sm}
     * @param sm the step's manager on the primary (replica 0's shard arrays go here)
     * @param shardManagers receives one step manager per replica 1..N-1, which the caller closes after the step
     * @param clock the step's phase clock
     * @return the averaged weighted loss, every replica's gradients (to zero after the update) and the primary's
     *     averaged flat buckets
     */
    static TrainingLoop.Backward run(List<DataParallel.Replica> replicas, TrainingTask task, LossWeights weights,
            AdamW optimizer, long seed, long step, BatchSource.Batch batch, NDManager sm,
            List<NDManager> shardManagers, PhaseClock clock) {
        int n = replicas.size();
        OptionalLong count = task.targetCount(batch.labels());
        List<NDManager> managers = new ArrayList<>(n);
        managers.add(sm);
        for (int k = 1; k < n; k++) {
            NDManager m = replicas.get(k).manager.newSubManager();
            shardManagers.add(m);
            managers.add(m);
        }
        clock.mark(Phase.DATA);
        List<LossWeights.WeightedLoss> losses = new ArrayList<>(n);
        for (int k = 0; k < n; k++) {
            DataParallel.Replica rep = replicas.get(k);
            NDManager rsm = managers.get(k);
            NDList data = DataParallel.shard(batch.data(), batch.size(), k, n, rep.device, rsm);
            NDList labels = DataParallel.shard(batch.labels(), batch.size(), k, n, rep.device, rsm);
            Engine.getInstance().setRandomSeed(StepSeeds.replicaSeed(seed, step, k));
            clock.mark(Phase.DATA);
            try (ReplicaContext.Scope scope = new ReplicaContext(k, n, count).enter()) {
                NDList teacherOut = new NDList();
                if (rep.teacher != null) {
                    teacherOut = rep.teacher.forward(rep.teacherStore, data, labels);
                    TeacherOutputs.adopt(teacherOut, rep.teacherArrays, rsm);
                    clock.mark(Phase.TEACHER);
                }
                try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    GradientCheckpoint.clear();
                    LossWeights.WeightedLoss loss =
                            weights.apply(rep.task.losses(rep.store, data, labels, teacherOut, true));
                    losses.add(loss);
                    clock.mark(Phase.FORWARD);
                    GradientCheckpoint.backward(loss.total());
                    clock.mark(Phase.BACKWARD);
                } finally {
                    GradientCheckpoint.clear();
                }
            }
        }
        List<NDList> grads = new ArrayList<>(n);
        for (int k = 0; k < n; k++) {
            grads.add(replicas.get(k).params.gradients(managers.get(k)));
        }
        NDList flat = optimizer.flatten(grads.get(0));
        Device home = replicas.get(0).device;
        for (int k = 1; k < n; k++) {
            NDList other = optimizer.flatten(grads.get(k));
            for (int g = 0; g < flat.size(); g++) {
                NDArray moved = other.get(g).toDevice(home, false);
                flat.get(g).addi(moved);
                if (moved != other.get(g)) {
                    moved.close();
                }
            }
        }
        try (NDArray replicaCount = sm.create((float) n)) {
            for (NDArray f : flat) {
                f.divi(replicaCount);
            }
        }
        return new TrainingLoop.Backward(DataParallel.mean(losses, sm), grads, flat);
    }
}
