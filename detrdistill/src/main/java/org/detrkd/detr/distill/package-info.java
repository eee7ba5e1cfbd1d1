/**
 * The knowledge-distillation interface on top of the training engine.
 *
 * <p>A {@link org.detrkd.detr.distill.DistillationMethod} turns (teacher outputs, student outputs, targets) into
 * named, unweighted loss terms and owns its trainable adapters; {@link org.detrkd.detr.distill.DistillationTask}
 * trains a student detector and those adapters together with a frozen teacher run outside the gradient (the engine's
 * {@code TeacherHook}); {@link org.detrkd.detr.distill.NoDistillation} ({@code none}) is the KD-off control that
 * trains bit for bit like plain detection training; {@link org.detrkd.detr.distill.TeacherGate} refuses a teacher
 * below its declared AP; {@link org.detrkd.detr.distill.DistillRun} is the {@code detrkd distill} run folder.
 * Methods are looked up by name in {@code org.detrkd.baselines.MethodRegistry}.
 */
package org.detrkd.detr.distill;
