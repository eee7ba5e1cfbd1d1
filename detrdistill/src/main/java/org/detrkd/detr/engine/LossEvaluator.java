package org.detrkd.detr.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;

import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Validation losses: runs a {@link TrainingTask} with {@code training = false} and no gradient collector over every
 * sample of a source, in index order (the last batch may be smaller), and returns the batch-size-weighted mean of
 * every term and of the weighted total ({@code loss}). The teacher, if any, runs first exactly as in training.
 */
public final class LossEvaluator {

    private LossEvaluator() {}

    /**
     * @param task the task (student, teacher, losses)
     * @param source validation samples
     * @param weights the run's loss weights
     * @param batchSize samples per forward pass
     * @return mean of each term and of {@code loss}, sorted by name
     * @throws IOException if a batch cannot be read
     */
    public static Map<String, Double> evaluate(TrainingTask task, BatchSource source, LossWeights weights,
            int batchSize) throws IOException {
        NDManager owner = task.student().getParameters().get(0).getValue().getArray().getManager();
        ParameterStore studentStore = new ParameterStore(owner, false);
        Optional<TeacherHook> teacher = task.teacher();
        ParameterStore teacherStore = new ParameterStore(owner, false);
        Set<String> teacherUids = teacher.isPresent() ? TeacherOutputs.parameterUids(teacher.get().block()) : Set.of();
        Map<String, Double> sums = new TreeMap<>();
        int n = source.size();
        for (int start = 0; start < n; start += batchSize) {
            int[] idx = new int[Math.min(batchSize, n - start)];
            for (int i = 0; i < idx.length; i++) {
                idx[i] = start + i;
            }
            try (NDManager sm = owner.newSubManager()) {
                BatchSource.Batch b = source.batch(sm, idx);
                NDList t = teacher.isPresent()
                        ? teacher.get().forward(teacherStore, b.data(), b.labels()) : new NDList();
                TeacherOutputs.adopt(t, teacherUids, sm);
                LossWeights.WeightedLoss loss =
                        weights.apply(task.losses(studentStore, b.data(), b.labels(), t, false));
                for (Map.Entry<String, NDArray> e : loss.terms().entrySet()) {
                    sums.merge(e.getKey(), scalar(e.getValue()) * b.size(), Double::sum);
                }
                sums.merge("loss", scalar(loss.total()) * b.size(), Double::sum);
            }
        }
        Map<String, Double> means = new TreeMap<>();
        sums.forEach((k, v) -> means.put(k, v / n));
        return means;
    }

    private static double scalar(NDArray a) {
        if (a.size() != 1) {
            throw new IllegalArgumentException("loss term is not a scalar: " + a.getShape());
        }
        return a.toType(DataType.FLOAT32, false).toFloatArray()[0];
    }
}
