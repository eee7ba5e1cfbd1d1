package org.detrkd.detr.distill;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.detrkd.detr.engine.AdamW;
import org.detrkd.detr.engine.BatchSource;
import org.detrkd.detr.engine.LrSchedule;
import org.detrkd.detr.engine.TrainingConfig;
import org.detrkd.detr.engine.TrainingLoop;
import org.detrkd.detr.model.Detector;
import org.detrkd.detr.train.DetectionTask;
import org.detrkd.detr.train.DetectorFactory;

/**
 * The overhead of distillation per training step: the plain student's step ({@link DetectionTask}) and the
 * distillation step ({@link DistillationTask}: teacher forward, the method's matching and terms, the extra query
 * group) on the same random batches, interleaved step by step so that both see the same machine load; medians after
 * warm-up, with the distillation loop's per-phase breakdown.
 */
public final class DistillStepBenchmark {

    /**
     * @param detector {@code conditional-detr}, {@code deformable-detr} or {@code adamixer} (teacher and student)
     * @param teacherSize the teacher's {@code DetectorFactory} size ({@code teacher}, {@code student}, {@code paper})
     * @param studentSize the student's size
     * @param numClasses K
     * @param batch images per step
     * @param imageSize square image side
     * @param steps timed steps of each kind
     * @param warmup untimed steps of each kind first
     * @param seed weights and data
     */
    public record Settings(String detector, String teacherSize, String studentSize, int numClasses, int batch,
            int imageSize, int steps, int warmup, long seed) {}

    private DistillStepBenchmark() {}

    /**
     * @param s the settings
     * @param methods builds the method on the student's manager
     * @return the report, ready for JSON
     * @throws IOException never in practice (random data)
     */
    public static Map<String, Object> run(Settings s, DistillRun.MethodBuilder methods) throws IOException {
        try (NDManager tm = NDManager.newBaseManager(); NDManager pm = NDManager.newBaseManager();
                NDManager dm = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed((int) s.seed());
            Detector plain = create(s, s.studentSize(), pm);
            Engine.getInstance().setRandomSeed((int) s.seed());
            Detector student = create(s, s.studentSize(), dm);
            Detector teacher = create(s, s.teacherSize(), tm);
            DistillationContext context = DistillationContext.of(teacher, student);
            DistillationMethod method = methods.build(context, dm);
            DistillationTask task = new DistillationTask(student, teacher, method);
            int n = s.batch() * (s.warmup() + s.steps());
            TrainingConfig config = new TrainingConfig(s.seed(), s.batch(), 1, 0.1, Integer.MAX_VALUE, null, false,
                    0, 0);
            TrainingLoop a = new TrainingLoop(DetectionTask.withDefaults(plain),
                    new RandomBatches(n, s.imageSize(), s.numClasses(), s.seed()), DetectionTask.weights(),
                    LrSchedule.constant(1e-4), AdamW.builder(), config);
            TrainingLoop b = new TrainingLoop(task,
                    new RandomBatches(n, s.imageSize(), s.numClasses(), s.seed()), task.weights(),
                    LrSchedule.constant(1e-4), AdamW.builder(), config);
            for (int i = 0; i < s.warmup(); i++) {
                a.trainStep();
                b.trainStep();
            }
            a.timings().reset();
            b.timings().reset();
            double[] plainMs = new double[s.steps()];
            double[] distillMs = new double[s.steps()];
            for (int i = 0; i < s.steps(); i++) {
                plainMs[i] = a.trainStep().seconds() * 1000;
                distillMs[i] = b.trainStep().seconds() * 1000;
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("method", method.name());
            m.put("settings", method.settings());
            m.put("detector", s.detector());
            m.put("teacher", describe(s.teacherSize(), context.teacher()));
            m.put("student", describe(s.studentSize(), context.student()));
            m.put("batch_size", s.batch());
            m.put("image_size", s.imageSize());
            m.put("steps", s.steps());
            m.put("warmup_steps", s.warmup());
            m.put("plain_median_step_ms", median(plainMs));
            m.put("distill_median_step_ms", median(distillMs));
            m.put("ratio", median(distillMs) / median(plainMs));
            m.put("ratio_limit", 2.0);
            m.put("plain_breakdown_mean_ms", phases(a));
            m.put("distill_breakdown_mean_ms", phases(b));
            m.put("note", "steps interleaved (plain, distill, plain, ...) on identical random batches; the distill "
                    + "step includes the teacher forward, the method's matching and terms and the extra query group");
            return m;
        }
    }

    private static Map<String, Double> phases(TrainingLoop loop) {
        Map<String, Double> p = new LinkedHashMap<>();
        loop.timings().meanMillisPerStep().forEach((k, v) -> p.put(k.name().toLowerCase(Locale.ROOT), v));
        return p;
    }

    private static Detector create(Settings s, String size, NDManager manager) {
        return DetectorFactory.create(s.detector(), size, s.numClasses(), 0, manager, s.imageSize());
    }

    private static Map<String, Object> describe(String size, DetectorDescription c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("size", size);
        m.put("hidden_dim", c.hiddenDim());
        m.put("decoder_layers", c.decoderLayers());
        m.put("queries", c.numQueries());
        m.put("feature_channels", Arrays.toString(c.featureChannels()));
        return m;
    }

    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    /** Random images (standard normal, drawn from the step's seeded engine RNG) and 1-6 random boxes per image. */
    private record RandomBatches(int size, int imageSize, int numClasses, long seed) implements BatchSource {
        private static final int MAX = 6;

        @Override
        public Batch batch(NDManager manager, int[] indices) {
            int b = indices.length;
            SplittableRandom rng = new SplittableRandom(seed * 1_000_003L + indices[0]);
            long[] classes = new long[b * MAX];
            float[] boxes = new float[b * MAX * 4];
            long[] counts = new long[b];
            Arrays.fill(classes, -1);
            for (int i = 0; i < b; i++) {
                counts[i] = 1 + rng.nextInt(MAX);
                for (int j = 0; j < counts[i]; j++) {
                    int o = i * MAX + j;
                    classes[o] = rng.nextInt(numClasses);
                    boxes[4 * o] = (float) (0.2 + 0.6 * rng.nextDouble());
                    boxes[4 * o + 1] = (float) (0.2 + 0.6 * rng.nextDouble());
                    boxes[4 * o + 2] = (float) (0.05 + 0.4 * rng.nextDouble());
                    boxes[4 * o + 3] = (float) (0.05 + 0.4 * rng.nextDouble());
                }
            }
            NDList data = new NDList(manager.randomNormal(new Shape(b, 3, imageSize, imageSize)),
                    manager.zeros(new Shape(b, imageSize, imageSize), DataType.BOOLEAN));
            NDList labels = new NDList(manager.create(classes, new Shape(b, MAX)),
                    manager.create(boxes, new Shape(b, MAX, 4)), manager.create(counts, new Shape(b)));
            return new Batch(data, labels, b);
        }
    }
}
