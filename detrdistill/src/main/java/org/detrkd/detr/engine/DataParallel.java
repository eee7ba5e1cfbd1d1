package org.detrkd.detr.engine;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Data-parallel training over several devices with the semantics of PyTorch's {@code DistributedDataParallel} as
 * DETR's reference training uses it: one model replica per device, each step's batch split into contiguous shards,
 * one per replica, forward and backward per replica, gradients averaged over the replicas, one optimizer update,
 * identical parameters everywhere afterwards. Given to a {@link TrainingLoop} with more than one device; with one
 * device the loop runs its single-device step, unchanged.
 *
 * <p>One step with {@code N} replicas (batch {@code B}, a multiple of {@code N}):
 * <ol>
 *   <li>the batch is loaded once on the primary (replica 0, the caller's model) and split along axis 0 into
 *       {@code N} contiguous shards of {@code B / N} samples (every data and label array), shard {@code r} moved to
 *       replica {@code r}'s device;</li>
 *   <li>the whole batch's target count is taken once ({@link TrainingTask#targetCount}: DETR's {@code num_boxes})
 *       and published in {@link ReplicaContext}: every replica normalises its box terms by
 *       {@code max(1, count / N)}, exactly as DETR all-reduces {@code num_boxes}; every other term is the replica's
 *       own mean over its shard;</li>
 *   <li>replica by replica: the engine is reseeded ({@link StepSeeds#replicaSeed}; replica 0 with the step's seed),
 *       the frozen teacher (if any) runs on the shard outside the gradient, then the replica's own gradient
 *       collector: losses, weighting, {@code GradientCheckpoint.backward}; each replica's gradients land in its own
 *       parameters;</li>
 *   <li>all-reduce: each replica's gradients are concatenated into flat buckets (one per AdamW learning-rate group,
 *       as {@link AdamW#flatten}), summed into the primary's buckets and divided by {@code N} (DDP averages); the
 *       logged terms are averaged the same way;</li>
 *   <li>the global-norm clipping and AdamW run once, on the primary; every replica's gradients are zeroed;</li>
 *   <li>broadcast: every parameter of the primary's student block, trainable or not (BatchNorm running statistics
 *       included, as DDP's {@code broadcast_buffers}), is copied into each replica, so replicas stay bit-identical to
 *       the primary.</li>
 * </ol>
 * Hence, for a model without batch-coupled layers and without dropout, one data-parallel step equals the
 * single-device step on the whole batch up to float rounding (summation order): DETR's set criterion is a sum over
 * images divided by the global box count, and Hungarian matching is per image.
 *
 * <p>What differs from a single-device step, as in real DDP without SyncBatchNorm: BatchNorm layers in training mode
 * (the mini backbones' trainable BatchNorm) normalise each shard with the shard's own statistics, and the running
 * statistics kept (and checkpointed) are the primary's, updated from its shards only; frozen BatchNorm
 * ({@code ResNetSpec.withFrozenBatchNorm(true)}, the paper-size backbones) is unaffected. Dropout masks are drawn per
 * replica. Terms that normalise by a per-batch count other than {@code num_boxes} (e.g. DETRDistill's logits
 * distillation, over the matched pairs of its batch; CLoCKDistill's query terms, over GT queries) are per-replica
 * means: equal to the single-device value when the shards hold equal counts, otherwise a differently weighted mean.
 *
 * <p>Replicas are separate instances built by the caller's {@link ReplicaFactory} on their device (same architecture
 * as the primary: checked by name, shape and type), their parameters overwritten by the primary's when the loop
 * starts (after a resume) and after every update; a distillation method's trainable adapters are part of the student
 * block ({@code StudentBundle}), so they replicate with it. The frozen teacher: one copy per DEVICE, run on the shards
 * of that device's replicas - the factory returns the primary's teacher for a replica on the primary's device (so on
 * one CPU all replicas share it) and a copy loaded on the replica's device otherwise. Replicas live in sub-managers of
 * the primary's manager on their device and are closed with it. Checkpoints hold the primary only; a resumed run
 * re-broadcasts it.
 *
 * <p>Replicas run one after another on the training thread (DJL's PyTorch gradient collector is process-wide, and
 * the matcher reads cost matrices on the host): on GPUs, CUDA's asynchronous launches overlap the devices only
 * partly. This is a correctness-first data parallelism: it gives DDP's numbers and splits the batch's memory over the
 * devices; its GPU speed-up has not been measured (no GPU was available), and it is tested with several replicas on
 * the one CPU device.
 */
public final class DataParallel {

    /** Builds the task of one replica on its device. */
    @FunctionalInterface
    public interface ReplicaFactory {
        /**
         * Builds a new task for replica {@code replica}: a NEW student block of the primary's architecture, initialised
         * on {@code manager} (whatever values: the engine overwrites them with the primary's), the same losses, and,
         * when distilling, a frozen teacher on {@code device} (the primary's own teacher block when {@code device} is
         * the primary's device; one copy per device otherwise). Must not return the primary's student.
         *
         * @param replica the replica index, 1..N-1 (0 is the primary, given to the loop)
         * @param device its device
         * @param manager a manager on that device, closed with the primary's model manager
         * @return the replica's task
         * @throws IOException if weights (e.g. the teacher's) cannot be read
         */
        TrainingTask create(int replica, Device device, NDManager manager) throws IOException;
    }

    private final List<Device> devices;
    private final ReplicaFactory factory;

    private DataParallel(List<Device> devices, ReplicaFactory factory) {
        if (devices.isEmpty()) {
            throw new IllegalArgumentException("no device");
        }
        this.devices = List.copyOf(devices);
        this.factory = devices.size() > 1 ? Objects.requireNonNull(factory, "a replica factory") : factory;
    }

    /**
     * @param devices the devices, primary first (the primary task's student must live on the first); the same device
     *     may appear more than once (several replicas on one device, e.g. the CPU in tests)
     * @param factory builds replicas 1..N-1 (may be null for a single device)
     * @return the setting
     */
    public static DataParallel of(List<Device> devices, ReplicaFactory factory) {
        return new DataParallel(devices, factory);
    }

    /**
     * @return the devices, primary first
     */
    public List<Device> devices() {
        return devices;
    }

    /**
     * @return the number of replicas
     */
    public int size() {
        return devices.size();
    }

    /** One replica as the loop uses it. */
    static final class Replica {
        final int index;
        final Device device;
        final TrainingTask task;
        final NDManager manager;
        final TrainableParameters params;
        final List<Parameter> all;
        final ParameterStore store;
        final TeacherHook teacher;
        final ParameterStore teacherStore;
        final Set<String> teacherArrays;

        Replica(int index, Device device, TrainingTask task, NDManager manager, TrainableParameters params,
                ParameterStore store, TeacherHook teacher, ParameterStore teacherStore, Set<String> teacherArrays) {
            this.index = index;
            this.device = device;
            this.task = task;
            this.manager = manager;
            this.params = params;
            this.all = parameters(task.student());
            this.store = store;
            this.teacher = teacher;
            this.teacherStore = teacherStore;
            this.teacherArrays = teacherArrays;
        }
    }

    /**
     * Builds replicas 1..N-1 next to the primary (replica 0, whose parts the loop already holds).
     *
     * @param primary replica 0
     * @param primaryManager the primary's model manager (parent of the replicas' managers)
     * @return all replicas, primary first
     * @throws IOException if the factory fails to read weights
     */
    List<Replica> build(Replica primary, NDManager primaryManager) throws IOException {
        Device home = primary.params.entries().get(0).parameter().getArray().getDevice();
        if (!home.equals(devices.get(0))) {
            throw new IllegalArgumentException("the primary student is on " + home + ", but the first device is "
                    + devices.get(0) + ": build the model on the first device");
        }
        List<Replica> out = new ArrayList<>(devices.size());
        out.add(primary);
        Set<String> primaryIds = ids(primary.all);
        for (int r = 1; r < devices.size(); r++) {
            Device d = devices.get(r);
            NDManager m = primaryManager.newSubManager(d);
            TrainingTask task = factory.create(r, d, m);
            List<Parameter> all = parameters(task.student());
            checkSameArchitecture(primary.task.student(), task.student(), r);
            for (Parameter p : all) {
                if (primaryIds.contains(p.getId())) {
                    throw new IllegalArgumentException("replica " + r + " shares parameter " + p.getName()
                            + " with the primary: the factory must build a new student block");
                }
            }
            TrainableParameters params = new TrainableParameters(task.student());
            try (NDManager tmp = m.newSubManager()) {
                TrainableParameters.zero(params.gradients(tmp));
            }
            Optional<TeacherHook> t = task.teacher();
            ParameterStore teacherStore = null;
            Set<String> teacherArrays = new HashSet<>();
            if (t.isPresent() != (primary.teacher != null)) {
                throw new IllegalArgumentException("replica " + r + (t.isPresent() ? " has a teacher but the primary "
                        + "has none" : " has no teacher but the primary has one"));
            }
            if (t.isPresent()) {
                Block tb = t.get().block();
                for (Pair<String, Parameter> p : tb.getParameters()) {
                    if (params.contains(p.getValue())) {
                        throw new IllegalArgumentException("teacher parameter " + p.getKey() + " of replica " + r
                                + " is also a student parameter: the teacher must be a separate, frozen block");
                    }
                }
                teacherArrays.addAll(TeacherOutputs.parameterUids(tb));
                teacherStore = new ParameterStore(tb.getParameters().isEmpty()
                        ? m : tb.getParameters().get(0).getValue().getArray().getManager(), false);
            }
            out.add(new Replica(r, d, task, m, params, new ParameterStore(m, false), t.orElse(null), teacherStore,
                    teacherArrays));
        }
        return Collections.unmodifiableList(out);
    }

    /** Every parameter of a block (trainable or not), in the block's order. */
    static List<Parameter> parameters(Block block) {
        List<Parameter> out = new ArrayList<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            out.add(p.getValue());
        }
        return out;
    }

    private static Set<String> ids(List<Parameter> params) {
        Set<String> out = new HashSet<>();
        params.forEach(p -> out.add(p.getId()));
        return out;
    }

    private static void checkSameArchitecture(Block primary, Block replica, int r) {
        List<Pair<String, Parameter>> a = new ArrayList<>();
        primary.getParameters().forEach(a::add);
        List<Pair<String, Parameter>> b = new ArrayList<>();
        replica.getParameters().forEach(b::add);
        if (a.size() != b.size()) {
            throw new IllegalArgumentException("replica " + r + " has " + b.size() + " parameters, the primary "
                    + a.size() + ": the factory must build the same architecture");
        }
        for (int i = 0; i < a.size(); i++) {
            NDArray x = a.get(i).getValue().getArray();
            NDArray y = b.get(i).getValue().getArray();
            if (!a.get(i).getKey().equals(b.get(i).getKey()) || !x.getShape().equals(y.getShape())
                    || x.getDataType() != y.getDataType()
                    || a.get(i).getValue().requiresGradient() != b.get(i).getValue().requiresGradient()) {
                throw new IllegalArgumentException("replica " + r + " parameter " + i + " is " + b.get(i).getKey()
                        + " " + y.getDataType() + y.getShape() + ", the primary's " + a.get(i).getKey() + " "
                        + x.getDataType() + x.getShape() + ": the factory must build the same architecture");
            }
        }
    }

    /**
     * Copies every parameter value of the primary into the other replicas (device to device, no host round trip).
     * Runs outside any gradient collector.
     *
     * @param replicas all replicas, primary first
     */
    static void broadcast(List<Replica> replicas) {
        List<Parameter> src = replicas.get(0).all;
        NDIndex all = new NDIndex("...");
        for (int r = 1; r < replicas.size(); r++) {
            Replica rep = replicas.get(r);
            for (int i = 0; i < src.size(); i++) {
                NDArray from = src.get(i).getArray();
                NDArray to = rep.all.get(i).getArray();
                NDArray moved = from.toDevice(to.getDevice(), false);
                try {
                    to.set(all, moved);
                } finally {
                    if (moved != from) {
                        moved.close();
                    }
                }
            }
        }
    }

    /**
     * Shard {@code r} of {@code n} of every array of a batch: rows {@code [r B/n, (r+1) B/n)} of axis 0, moved to
     * {@code device} and attached to {@code manager}.
     *
     * @param list the batch's data or labels (every array's first axis is the batch)
     * @param batch B
     * @param r the shard
     * @param n the number of shards (divides B)
     * @param device the replica's device
     * @param manager the replica's step manager
     * @return the shard
     */
    static NDList shard(NDList list, int batch, int r, int n, Device device, NDManager manager) {
        int size = batch / n;
        NDList out = new NDList(list.size());
        for (NDArray a : list) {
            if (a.getShape().dimension() == 0 || a.getShape().get(0) != batch) {
                throw new IllegalArgumentException("cannot split a batch array of shape " + a.getShape() + " into "
                        + n + " shards along axis 0 (batch " + batch + ")");
            }
            NDArray s = a.get(new NDIndex().addSliceDim((long) r * size, (long) (r + 1) * size));
            NDArray moved = s.toDevice(device, false);
            if (moved != s) {
                s.close();
            }
            moved.attach(manager);
            out.add(moved);
        }
        return out;
    }

    /**
     * The replicas' weighted losses averaged on the primary's device: every term and the total, {@code sum / N}.
     *
     * @param losses per replica, primary first (same term names)
     * @param sm the primary's step manager
     * @return the mean (the weights of the primary's)
     */
    static LossWeights.WeightedLoss mean(List<LossWeights.WeightedLoss> losses, NDManager sm) {
        LossWeights.WeightedLoss first = losses.get(0);
        Device home = first.total().getDevice();
        for (int r = 1; r < losses.size(); r++) {
            if (!losses.get(r).terms().keySet().equals(first.terms().keySet())) {
                throw new IllegalStateException("replica " + r + " returned the terms " + losses.get(r).terms()
                        .keySet() + ", the primary " + first.terms().keySet()
                        + ": replicas must compute the same terms");
            }
        }
        NDArray n = sm.create((float) losses.size());
        Map<String, NDArray> terms = new TreeMap<>();
        for (String name : first.terms().keySet()) {
            List<NDArray> parts = new ArrayList<>();
            losses.forEach(l -> parts.add(l.terms().get(name)));
            terms.put(name, average(parts, home, n, sm));
        }
        List<NDArray> totals = new ArrayList<>();
        losses.forEach(l -> totals.add(l.total()));
        return new LossWeights.WeightedLoss(average(totals, home, n, sm), Collections.unmodifiableMap(terms),
                first.weights());
    }

    private static NDArray average(List<NDArray> parts, Device home, NDArray n, NDManager sm) {
        NDArray sum = parts.get(0).toDevice(home, true);
        sum.attach(sm);
        for (int r = 1; r < parts.size(); r++) {
            NDArray moved = parts.get(r).toDevice(home, false);
            sum.addi(moved);
            if (moved != parts.get(r)) {
                moved.close();
            }
        }
        return sum.divi(n);
    }
}
