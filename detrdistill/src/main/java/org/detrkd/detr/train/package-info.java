/**
 * Training and evaluation runs of whole detectors: the glue between the {@code datasets} module (COCO folders,
 * augmentation, batching, COCO evaluation) and the training engine ({@link org.detrkd.detr.engine}).
 *
 * <ul>
 *   <li>{@link org.detrkd.detr.train.DetectorFactory}: {@code --detector} and {@code --size} to an initialised model;</li>
 *   <li>{@link org.detrkd.detr.train.DetectionTask}: the engine's {@code TrainingTask} for plain DETR training
 *       (detector forward, {@code SetCriterion} on every stage);</li>
 *   <li>{@link org.detrkd.detr.train.DetectorEvaluator}: eval-mode forward over a split, {@code PostProcess},
 *       {@link org.detrkd.detr.train.CocoConversion} to COCO results, {@code CocoEvaluator};</li>
 *   <li>{@link org.detrkd.detr.train.TrainRun} with its {@link org.detrkd.detr.train.RunSpec} ({@code spec.json}):
 *       a resumable run folder with per-epoch evaluation and an optional time budget;</li>
 *   <li>{@link org.detrkd.detr.train.StepBenchmark} and {@link org.detrkd.detr.train.FlopCount}: step timing and the
 *       FLOP rate achieved.</li>
 * </ul>
 *
 * A run folder ({@code detrkd train --out DIR}) holds {@code spec.json} and {@code checkpoints/step-NNNNNNNNNNNN/}
 * ({@code student.safetensors}, {@code optimizer.safetensors}, {@code state.json} whose metrics carry
 * {@code eval/epoch_NNN/AP}, {@code eval/epoch_NNN/AP50}, {@code eval/final/*} and {@code train_seconds}).
 */
package org.detrkd.detr.train;
