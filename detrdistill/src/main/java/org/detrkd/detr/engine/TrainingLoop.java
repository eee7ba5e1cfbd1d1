package org.detrkd.detr.engine;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import org.detrkd.detr.engine.StepTimings.Phase;
import org.detrkd.detr.ops.GradientCheckpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The training engine: a hand-written DJL loop (DJL's {@code EasyTrain} evaluates the loss twice per batch) with its
 * own {@link AdamW}, global-norm clipping, a stateless {@link LrSchedule}, atomic checkpoints and exact resume.
 *
 * <p>One step: reseed the engine with {@link StepSeeds#stepSeed}; load the batch (indices from the epoch's seeded
 * permutation, last incomplete batch dropped as in DETR) into a child manager of the model's manager; run the frozen
 * teacher outside any gradient collector; open the collector, compute {@link TrainingTask#losses}, weight them with
 * {@link LossWeights}, back-propagate; close the collector; compute the global gradient norm; read every term, the
 * total and the norm in ONE host transfer; stop with a {@link DivergenceException} if any is non-finite; clip; update
 * with AdamW (which zeroes the gradients); close the step manager. Per-phase wall times accumulate in
 * {@link #timings()}.
 *
 * <p>On construction the loop restores the latest complete checkpoint of {@link TrainingConfig#checkpointDir()} if
 * there is one, so that "same command again" continues an interrupted run; resumed and uninterrupted runs give
 * bit-identical parameters (same seed, threads and machine).
 *
 * <p>Given a {@link DataParallel} setting with several devices, each step is data-parallel with DDP semantics (the
 * batch split into one shard per replica, DETR's box count shared through {@link ReplicaContext}, gradients averaged,
 * one update on the primary, parameters broadcast; see {@link DataParallel}); with one device the step above runs
 * unchanged.
 */
public final class TrainingLoop {

    private static final Logger LOG = LoggerFactory.getLogger(TrainingLoop.class);

    private final TrainingTask task;
    private final BatchSource source;
    private final LossWeights weights;
    private final LrSchedule schedule;
    private final TrainingConfig config;
    private final Block student;
    private final TrainableParameters params;
    private final AdamW optimizer;
    private final NDManager modelManager;
    private final ParameterStore studentStore;
    private final TeacherHook teacher;
    private final ParameterStore teacherStore;
    private final Set<String> teacherArrays = new HashSet<>();
    private final CheckpointStore checkpoints;
    private final long stepsPerEpoch;
    private final StepTimings timings = new StepTimings();
    private final ProgressLog progress = new ProgressLog();
    private final List<TrainingListener> listeners = new ArrayList<>();
    private final Map<String, double[]> epochSums = new TreeMap<>();
    private long step;
    private long savedStep = -1;
    private int[] order;
    private int orderEpoch = -1;
    private int watchedArrays = -1;
    private StepResult last;
    private Map<String, Double> epochMetrics = Map.of();
    private long peakHeapBytes;
    /** All replicas, primary first, in data-parallel training; null on a single device. */
    private final List<DataParallel.Replica> replicas;

    /**
     * A single-device loop (the student's device).
     *
     * @param task the student, its losses and the optional teacher
     * @param source the training samples
     * @param weights loss-term weights
     * @param schedule learning rate per step
     * @param adamw optimizer options (per-parameter multipliers, weight decay)
     * @param config run settings
     * @throws IOException if the checkpoint folder cannot be read or a checkpoint cannot be restored
     */
    public TrainingLoop(TrainingTask task, BatchSource source, LossWeights weights, LrSchedule schedule,
            AdamW.Builder adamw, TrainingConfig config) throws IOException {
        this(task, source, weights, schedule, adamw, config, null);
    }

    /**
     * A loop over one or several devices: with more than one, each step is data-parallel ({@link DataParallel}: the
     * batch split over replicas built by the setting's factory, gradients averaged, one update on {@code task}'s
     * student, the primary, whose weights are checkpointed); with one (or {@code null}) it is the single-device loop.
     *
     * @param task the primary's student (on the first device), its losses and the optional teacher
     * @param source the training samples
     * @param weights loss-term weights
     * @param schedule learning rate per step
     * @param adamw optimizer options (per-parameter multipliers, weight decay)
     * @param config run settings; with {@code N} replicas the batch size must be a multiple of {@code N}
     * @param parallel the devices and the replica factory, or {@code null} for one device
     * @throws IOException if the checkpoint folder cannot be read, a checkpoint cannot be restored or a replica cannot
     *     be built
     */
    public TrainingLoop(TrainingTask task, BatchSource source, LossWeights weights, LrSchedule schedule,
            AdamW.Builder adamw, TrainingConfig config, DataParallel parallel) throws IOException {
        if (parallel != null && parallel.size() > 1 && config.batchSize() % parallel.size() != 0) {
            throw new IllegalArgumentException("batch size " + config.batchSize() + " is not a multiple of the "
                    + parallel.size() + " devices: every replica needs an equal shard");
        }
        this.task = task;
        this.source = source;
        this.weights = weights;
        this.schedule = schedule;
        this.config = config;
        this.stepsPerEpoch = source.size() / config.batchSize();
        if (stepsPerEpoch == 0) {
            throw new IllegalArgumentException(
                    "batch size " + config.batchSize() + " exceeds the " + source.size() + " training samples");
        }
        this.student = task.student();
        this.params = new TrainableParameters(student);
        this.modelManager = params.entries().get(0).parameter().getArray().getManager();
        this.optimizer = adamw.build(params, modelManager);
        try (NDManager tmp = modelManager.newSubManager()) {
            TrainableParameters.zero(params.gradients(tmp));
        }
        this.studentStore = new ParameterStore(modelManager, false);
        Optional<TeacherHook> t = task.teacher();
        this.teacher = t.orElse(null);
        this.teacherStore = t.isPresent() ? new ParameterStore(teacherManager(t.get().block()), false) : null;
        this.checkpoints = config.checkpointDir() == null
                ? null : new CheckpointStore(config.checkpointDir(), config.keepCheckpoints());
        if (parallel != null && parallel.size() > 1) {
            DataParallel.Replica primary = new DataParallel.Replica(0, parallel.devices().get(0), task, modelManager,
                    params, studentStore, teacher, teacherStore, teacherArrays);
            this.replicas = parallel.build(primary, modelManager);
        } else {
            this.replicas = null;
        }
        resume();
        if (replicas != null) {
            DataParallel.broadcast(replicas);
            LOG.info("data-parallel over {} replicas on {}", replicas.size(), parallel.devices());
        }
        LOG.info("training {} parameter tensors ({} values), {} samples, {} steps per epoch, {} epochs, from step {}",
                params.size(), params.numel(), source.size(), stepsPerEpoch, config.epochs(), step);
    }

    private NDManager teacherManager(Block teacherBlock) {
        for (Pair<String, Parameter> p : teacherBlock.getParameters()) {
            if (params.contains(p.getValue())) {
                throw new IllegalArgumentException("teacher parameter " + p.getKey() + " is also a student "
                        + "parameter: the teacher must be a separate, frozen block");
            }
        }
        teacherArrays.addAll(TeacherOutputs.parameterUids(teacherBlock));
        return teacherBlock.getParameters().isEmpty()
                ? modelManager : teacherBlock.getParameters().get(0).getValue().getArray().getManager();
    }

    private void resume() throws IOException {
        if (checkpoints == null) {
            return;
        }
        Optional<Path> latest = checkpoints.latest();
        if (latest.isEmpty()) {
            return;
        }
        CheckpointState s = checkpoints.readState(latest.get());
        if (s.seed() != config.seed() || s.batchSize() != config.batchSize() || s.stepsPerEpoch() != stepsPerEpoch) {
            throw new IllegalStateException(latest.get() + ": checkpoint of a different run (seed " + s.seed()
                    + ", batch " + s.batchSize() + ", " + s.stepsPerEpoch() + " steps per epoch) than this one (seed "
                    + config.seed() + ", batch " + config.batchSize() + ", " + stepsPerEpoch + ")");
        }
        checkpoints.restore(latest.get(), student, optimizer);
        step = s.step();
        savedStep = step;
        LOG.info("resumed from {} at step {} (epoch {})", latest.get(), step, s.epoch() + 1);
    }

    /**
     * @param listener called after every step and at every epoch end
     */
    public void addListener(TrainingListener listener) {
        listeners.add(listener);
    }

    /**
     * Trains to the end of the last epoch.
     *
     * @return the last step's result ({@code null} if there was nothing left to do)
     * @throws IOException if a batch or a checkpoint fails
     */
    public StepResult fit() throws IOException {
        return fitUntil(totalSteps());
    }

    /**
     * Trains until {@code stopStep} steps are complete (or the run ends), then writes a checkpoint if checkpointing
     * is on and the last step is not saved yet.
     *
     * @param stopStep number of completed steps to reach
     * @return the last step's result ({@code null} if no step ran)
     * @throws IOException if a batch or a checkpoint fails
     */
    public StepResult fitUntil(long stopStep) throws IOException {
        long end = Math.min(stopStep, totalSteps());
        StepResult r = null;
        while (step < end) {
            r = trainStep();
        }
        if (checkpoints != null && savedStep != step) {
            saveCheckpoint(Map.of());
        }
        return r;
    }

    /**
     * Runs one training step (see the class comment) and the per-step bookkeeping: logging, epoch end, checkpoints.
     *
     * @return what the step produced
     * @throws IOException if the batch or a checkpoint cannot be read or written
     */
    public StepResult trainStep() throws IOException {
        long s = step;
        int epoch = (int) (s / stepsPerEpoch);
        int[] indices = batchIndices(s, epoch);
        Engine.getInstance().setRandomSeed(StepSeeds.stepSeed(config.seed(), s));
        double lr = schedule.lr(s);
        PhaseClock clock = new PhaseClock(timings);
        StepResult r;
        List<NDManager> shardManagers = new ArrayList<>();
        try (NDManager sm = modelManager.newSubManager()) {
            BatchSource.Batch batch = source.batch(sm, indices);
            clock.mark(Phase.DATA);
            Backward pass = replicas == null ? backward(batch, sm, clock)
                    : ParallelPass.run(replicas, task, weights, optimizer, config.seed(), s, batch, sm, shardManagers,
                            clock);
            float[] values = StepValues.read(pass.loss(), GradientClipping.globalNorm(pass.flat()), sm);
            float gradNorm = values[values.length - 1];
            Map<String, Float> terms;
            try {
                terms = StepValues.checkFinite(s, lr, pass.loss(), values);
            } catch (DivergenceException e) {
                pass.grads().forEach(TrainableParameters::fillZero); // no gradient left for a caller that continues
                throw e;
            }
            double coef = GradientClipping.clip(pass.flat(), gradNorm, config.clipMaxNorm());
            clock.mark(Phase.CLIP);
            optimizer.stepFlat(lr, pass.flat());
            pass.grads().forEach(TrainableParameters::zero);
            if (replicas != null) {
                DataParallel.broadcast(replicas);
            }
            clock.mark(Phase.OPTIMIZER);
            r = new StepResult(s, epoch, lr, values[values.length - 2], terms, gradNorm, coef, batch.size(),
                    clock.secondsToLastMark());
        } finally {
            shardManagers.forEach(NDManager::close);
        }
        clock.mark(Phase.OTHER);
        timings.countStep();
        step = s + 1;
        afterStep(r);
        return r;
    }

    /**
     * The forward and backward half of a step, up to the gradients.
     *
     * @param loss the weighted loss (data-parallel: averaged over the replicas)
     * @param grads the gradients of every replica's trainable parameters (one entry on a single device)
     * @param flat the primary's gradients as the optimizer's flat buckets (data-parallel: averaged)
     */
    record Backward(LossWeights.WeightedLoss loss, List<NDList> grads, NDList flat) {}

    /** On one device: the frozen teacher outside any gradient collector, then forward, weighting and backward. */
    private Backward backward(BatchSource.Batch batch, NDManager sm, PhaseClock clock) {
        NDList teacherOut = new NDList();
        if (teacher != null) {
            teacherOut = teacher.forward(teacherStore, batch.data(), batch.labels());
            TeacherOutputs.adopt(teacherOut, teacherArrays, sm);
            clock.mark(Phase.TEACHER);
        }
        LossWeights.WeightedLoss loss;
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            GradientCheckpoint.clear(); // nothing left over from a failed step
            loss = weights.apply(task.losses(studentStore, batch.data(), batch.labels(), teacherOut, true));
            clock.mark(Phase.FORWARD);
            // the collector's backward, plus the recomputation of checkpointed stretches (if the model has any)
            GradientCheckpoint.backward(loss.total());
            clock.mark(Phase.BACKWARD);
        } finally {
            GradientCheckpoint.clear();
        }
        NDList grads = params.gradients(sm);
        return new Backward(loss, List.of(grads), optimizer.flatten(grads));
    }

    /**
     * @return the devices the loop trains on, primary first (one entry on a single device: the student's)
     */
    public List<Device> devices() {
        if (replicas == null) {
            return List.of(params.entries().get(0).parameter().getArray().getDevice());
        }
        List<Device> out = new ArrayList<>(replicas.size());
        replicas.forEach(rep -> out.add(rep.device));
        return List.copyOf(out);
    }

    /**
     * @return the student blocks of every replica, primary first (just the primary's on a single device); for tests
     *     and diagnostics
     */
    public List<Block> replicaStudents() {
        if (replicas == null) {
            return List.of(student);
        }
        List<Block> out = new ArrayList<>(replicas.size());
        replicas.forEach(rep -> out.add(rep.task.student()));
        return List.copyOf(out);
    }

    private int[] batchIndices(long s, int epoch) {
        if (orderEpoch != epoch) {
            order = StepSeeds.permutation(config.seed(), epoch, source.size());
            orderEpoch = epoch;
        }
        int b = (int) (s % stepsPerEpoch);
        return Arrays.copyOfRange(order, b * config.batchSize(), (b + 1) * config.batchSize());
    }

    private void afterStep(StepResult r) throws IOException {
        long t = System.nanoTime();
        last = r;
        progress.record(r.seconds());
        accumulate("loss", r.loss());
        r.terms().forEach(this::accumulate);
        for (TrainingListener l : listeners) {
            l.onStep(r);
        }
        boolean epochEnd = step % stepsPerEpoch == 0;
        if (step % config.logEvery() == 0 || epochEnd || r.step() == 0) {
            progress.step(r, config.epochs(), totalSteps());
            watchManagedArrays();
            memory();
        }
        timings.add(Phase.OTHER, System.nanoTime() - t);
        if (epochEnd) {
            epochMetrics = endEpoch(r.epoch());
        }
        boolean due = (epochEnd && config.checkpointEveryEpoch())
                || (config.checkpointEverySteps() > 0 && step % config.checkpointEverySteps() == 0);
        if (checkpoints != null && due) {
            saveCheckpoint(Map.of());
        }
    }

    private void accumulate(String name, double value) {
        double[] sum = epochSums.computeIfAbsent(name, k -> new double[2]);
        sum[0] += value;
        sum[1] += 1;
    }

    private Map<String, Double> endEpoch(int epoch) {
        Map<String, Double> means = new TreeMap<>();
        epochSums.forEach((k, v) -> means.put(k, v[0] / v[1]));
        epochSums.clear();
        progress.epoch(epoch, means, timings, memory());
        Map<String, Double> metrics = new TreeMap<>();
        means.forEach((k, v) -> metrics.put("epoch_mean/" + k, v));
        for (TrainingListener l : listeners) {
            metrics.putAll(l.onEpochEnd(epoch, means));
        }
        return metrics;
    }

    private void watchManagedArrays() {
        int n = managedArrayCount();
        if (watchedArrays >= 0 && n > watchedArrays) {
            LOG.warn("the model's manager grew from {} to {} arrays by step {}: an op in the forward or the loss "
                    + "attaches its result to a parameter (put a batch array first)", watchedArrays, n, step);
        }
        watchedArrays = n;
    }

    /**
     * Writes a checkpoint now (student, optimizer, state JSON with the last step's values and {@code extra}).
     *
     * @param extra additional metrics for the JSON
     * @return the checkpoint folder
     * @throws IOException if writing fails
     */
    public Path saveCheckpoint(Map<String, Double> extra) throws IOException {
        if (checkpoints == null) {
            throw new IllegalStateException("checkpointing is off: no checkpoint folder configured");
        }
        long t = System.nanoTime();
        Map<String, Double> metrics = new TreeMap<>(epochMetrics);
        metrics.putAll(extra);
        if (last != null) {
            metrics.put("loss", (double) last.loss());
            last.terms().forEach((k, v) -> metrics.put(k, (double) v));
            metrics.put("lr", last.lr());
            metrics.put("grad_norm", (double) last.gradNorm());
        }
        timings.meanMillisPerStep().forEach(
                (k, v) -> metrics.put("time_ms/" + k.name().toLowerCase(java.util.Locale.ROOT), v));
        MemoryStats mem = memory();
        metrics.put("memory/peak_heap_mib", peakHeapBytes / 1048576.0);
        metrics.put("memory/peak_rss_mib", mem.peakRssBytes() / 1048576.0);
        CheckpointState state = new CheckpointState(step, (int) (step / stepsPerEpoch), config.seed(), stepsPerEpoch,
                config.batchSize(), optimizer.stepCount(), metrics);
        Path dir = checkpoints.save(state, student, optimizer);
        savedStep = step;
        timings.add(Phase.CHECKPOINT, System.nanoTime() - t);
        LOG.info("checkpoint {}", dir);
        return dir;
    }

    /**
     * Samples memory now and keeps the peak heap seen at the samples (taken at every log line and epoch end).
     *
     * @return heap in use now and its sampled peak, current and peak resident set size (VmHWM) of the process
     */
    public MemoryStats memory() {
        MemoryStats now = MemoryStats.sample();
        peakHeapBytes = Math.max(peakHeapBytes, now.heapUsedBytes());
        return now;
    }

    /**
     * @return the largest JVM heap use seen at the memory samples so far
     */
    public long peakHeapBytes() {
        return peakHeapBytes;
    }

    /**
     * @return the number of arrays the model's manager holds (must stay flat from step to step)
     */
    public int managedArrayCount() {
        return modelManager.getManagedArrays().size();
    }

    /**
     * @return completed steps
     */
    public long step() {
        return step;
    }

    /**
     * @return steps in the whole run
     */
    public long totalSteps() {
        return stepsPerEpoch * config.epochs();
    }

    /**
     * @return optimizer steps per epoch
     */
    public long stepsPerEpoch() {
        return stepsPerEpoch;
    }

    /**
     * @return per-phase timings accumulated since construction (or the last reset)
     */
    public StepTimings timings() {
        return timings;
    }

    /**
     * @return the optimizer (for its per-parameter multipliers)
     */
    public AdamW optimizer() {
        return optimizer;
    }

    /**
     * @return the trainable parameters
     */
    public TrainableParameters parameters() {
        return params;
    }
}
