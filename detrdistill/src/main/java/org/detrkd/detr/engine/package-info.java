/**
 * The training engine: a hand-written DJL training loop that detectors, criteria and distillation methods plug into.
 *
 * <h2>Contract</h2>
 * A run is a {@link org.detrkd.detr.engine.TrainingTask} (the trainable student block and a function from one batch to
 * named, unweighted scalar loss terms, with an optional frozen {@link org.detrkd.detr.engine.TeacherHook}), a
 * {@link org.detrkd.detr.engine.BatchSource} (random access to samples; the engine owns the order), the
 * {@link org.detrkd.detr.engine.LossWeights} (the only place weights are applied), an
 * {@link org.detrkd.detr.engine.LrSchedule}, {@link org.detrkd.detr.engine.AdamW} options and a
 * {@link org.detrkd.detr.engine.TrainingConfig}. A Conditional DETR run plugs in as
 * <pre>{@code
 * TrainingTask task = new TrainingTask() {
 *     public Block student() { return detector; }
 *     public Map<String, NDArray> losses(ParameterStore ps, NDList data, NDList labels, NDList teacher, boolean tr) {
 *         DetrOutputs out = DetrOutputs.from(detector.forward(ps, data, tr));     // per-stage logits and boxes
 *         return criterion.forward(out, Targets.from(labels));                     // loss_ce, loss_bbox, ..., _0.._k
 *     }
 * };
 * LossWeights w = new LossWeights(Map.of("loss_ce", 2.0, "loss_bbox", 5.0, "loss_giou", 2.0));
 * AdamW.Builder opt = AdamW.builder().optLrMultiplier(name -> name.contains("backbone"), 0.1);
 * new TrainingLoop(task, source, w, LrSchedule.epochs(1e-4, 0, new int[] {40}, stepsPerEpoch, 0.1), opt,
 *         TrainingConfig.of(seed, 8, 50, runDir.resolve("checkpoints"))).fit();
 * }</pre>
 * A distillation method returns the teacher in {@link org.detrkd.detr.engine.TrainingTask#teacher()}, receives its
 * outputs in {@code losses(...)}, adds its own terms, and groups its trainable adapters with the detector in the
 * student block so that they are optimised and checkpointed together.
 *
 * <h2>Guarantees</h2>
 * Teacher outside the gradient; one host read per step; global-norm clipping; AdamW state saved exactly; atomic
 * checkpoints with automatic resume; bit-identical parameters for resumed and uninterrupted runs with the same seed,
 * threads and machine; {@link org.detrkd.detr.engine.DivergenceException} on a non-finite term; a flat array count in
 * the model's manager (checked at every log line); per-phase {@link org.detrkd.detr.engine.StepTimings}; memory
 * samples ({@link org.detrkd.detr.engine.MemoryStats}). Engine threads are set with
 * {@link org.detrkd.detr.engine.EngineThreads#configure} before the engine starts.
 *
 * <h2>Devices</h2>
 * {@link org.detrkd.detr.engine.Devices#select} turns {@code --devices N} into the CPU (0) or the first N GPUs the
 * engine sees; with several, {@link org.detrkd.detr.engine.DataParallel} makes every step data-parallel with
 * DistributedDataParallel's semantics (DETR's {@code num_boxes} global through
 * {@link org.detrkd.detr.engine.ReplicaContext} and {@link org.detrkd.detr.engine.TrainingTask#targetCount}).
 */
package org.detrkd.detr.engine;
