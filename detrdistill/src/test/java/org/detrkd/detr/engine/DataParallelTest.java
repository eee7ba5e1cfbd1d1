package org.detrkd.detr.engine;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertNotEquals;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

import org.detrkd.datasets.djl.CocoDetectionDataset;
import org.detrkd.datasets.djl.DetectionBatchifier;
import org.detrkd.detr.backbone.ResNetSpec;
import org.detrkd.detr.conditional.ConditionalDetr;
import org.detrkd.detr.conditional.ConditionalDetrConfig;
import org.detrkd.detr.detrdistill.DetrDistill;
import org.detrkd.detr.detrdistill.DetrDistillSettings;
import org.detrkd.detr.distill.DistillationContext;
import org.detrkd.detr.distill.DistillationTask;
import org.detrkd.detr.loss.SetCriterion;
import org.detrkd.detr.train.DetectionTask;
import org.detrkd.detr.train.DetectorFactory;
import org.detrkd.detr.train.TinyData;
import org.testng.annotations.Test;

/**
 * Data parallelism with several replicas on the one CPU device (PyTorch has a single CPU device; the code is
 * device-agnostic): a 2-replica step equals the single-device step on the whole batch (frozen BatchNorm, no dropout;
 * DETR's criterion with the global box normaliser), plain and distilled; replicas stay bit-identical to the primary;
 * checkpoint and resume continue exactly.
 */
public class DataParallelTest {

    private static final List<Device> TWO_CPUS = List.of(Device.cpu(), Device.cpu());
    private static final long SEED = 3;

    static ConditionalDetrConfig student(int k, boolean frozenBn) {
        return new ConditionalDetrConfig(k, 32, 4, 64, 1, 2, 8, 0f,
                ResNetSpec.miniStudent().withFrozenBatchNorm(frozenBn));
    }

    static ConditionalDetrConfig teacher(int k) {
        return new ConditionalDetrConfig(k, 64, 4, 128, 1, 3, 10, 0f,
                ResNetSpec.miniTeacher().withFrozenBatchNorm(true));
    }

    private static CocoDetectionDataset tinyTrain() {
        return CocoDetectionDataset.builder().setRoot(TinyData.folder()).setSplit("train").setSampling(4, false)
                .build();
    }

    private static BatchSource source(CocoDetectionDataset ds) {
        return new DatasetBatchSource(ds, new DetectionBatchifier(), new DetectionBatchifier());
    }

    /**
     * A loop with batch 4. The equality tests use AdamW with eps 1: Adam's first update is
     * {@code lr g / (|g| + eps)}, i.e. about {@code lr sign(g)} with the default eps 1e-8, which turns float rounding
     * of a near-zero gradient element (different summation order on shards) into a difference of up to 2 lr; with
     * eps 1 the update is a well-conditioned function of the gradient ({@code ~ lr g}), so comparing updates compares
     * the averaged gradients.
     */
    private static TrainingLoop loop(TrainingTask task, BatchSource src, LossWeights w, DataParallel dp, Path ckpt,
            int epochs) throws Exception {
        TrainingConfig cfg = TrainingConfig.of(SEED, 4, epochs, ckpt).withLogEvery(1000);
        return new TrainingLoop(task, src, w, LrSchedule.constant(1e-3), AdamW.builder().optEps(1), cfg, dp);
    }

    static List<float[]> values(Block b) {
        List<float[]> out = new ArrayList<>();
        for (Pair<String, Parameter> p : b.getParameters()) {
            out.add(p.getValue().getArray().toFloatArray());
        }
        return out;
    }

    /**
     * Compares two parameter updates from the same start, element by element, against the size of the updates: the
     * difference must be within {@code rel} of the largest update of its tensor, for every tensor that moves by more
     * than 1e-4 of the model's largest update, and within {@code rel} of the model's largest update for the others
     * (tensors whose gradient vanishes mathematically, such as biases in front of a normalisation, move by float
     * rounding noise of ~1e-15 and carry no information); plus one unit in the last place of the parameter, which
     * quantises a small update of a float32 value.
     *
     * @return the largest difference relative to its scale
     */
    private static double compareUpdates(List<float[]> before, List<float[]> a, List<float[]> b, double rel) {
        assertEquals(a.size(), b.size());
        double[] scale = new double[a.size()];
        double global = 0;
        for (int i = 0; i < a.size(); i++) {
            for (int j = 0; j < a.get(i).length; j++) {
                scale[i] = Math.max(scale[i], Math.abs(a.get(i)[j] - before.get(i)[j]));
            }
            global = Math.max(global, scale[i]);
        }
        assertTrue(global > 0, "nothing moved");
        double worst = 0;
        int informative = 0;
        for (int i = 0; i < a.size(); i++) {
            double s = scale[i] > 1e-4 * global ? scale[i] : global;
            informative += scale[i] > 1e-4 * global ? 1 : 0;
            for (int j = 0; j < a.get(i).length; j++) {
                double d = Math.abs((double) a.get(i)[j] - b.get(i)[j]);
                // the updated parameters are floats: their last bit quantises the update (p ~ 0.05, update ~ 1e-6)
                double ulp = Math.ulp(Math.max(Math.abs(a.get(i)[j]), Math.abs(b.get(i)[j])));
                worst = Math.max(worst, Math.max(0, d - ulp) / s);
                assertTrue(d <= rel * s + ulp, String.format(Locale.ROOT, "parameter %d element %d: updates %.6g and "
                        + "%.6g differ by %.3g of the scale %.3g", i, j, a.get(i)[j] - before.get(i)[j],
                        b.get(i)[j] - before.get(i)[j], d / s, s));
            }
        }
        assertTrue(informative > a.size() / 2, informative + " of " + a.size() + " tensors moved measurably");
        return worst;
    }

    private static void assertBitEqual(List<float[]> a, List<float[]> b, String what) {
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.get(i).length, b.get(i).length);
            for (int j = 0; j < a.get(i).length; j++) {
                assertEquals(Float.floatToRawIntBits(a.get(i)[j]), Float.floatToRawIntBits(b.get(i)[j]),
                        what + ": parameter " + i + " element " + j);
            }
        }
    }

    private static void assertTermsClose(Map<String, Float> a, Map<String, Float> b, double rel) {
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet()) {
            assertEquals(b.get(k), a.get(k), rel * Math.max(1e-3, Math.abs(a.get(k))), k);
        }
    }

    /** Box counts of the first step's two shards (the engine's seeded order). */
    private static long[] shardBoxCounts(BatchSource src) throws Exception {
        int[] order = StepSeeds.permutation(SEED, 0, src.size());
        long[] out = new long[2];
        try (NDManager m = NDManager.newBaseManager()) {
            for (int r = 0; r < 2; r++) {
                BatchSource.Batch b = src.batch(m, new int[] {order[2 * r], order[2 * r + 1]});
                out[r] = b.labels().get(2).sum().toType(DataType.INT64, false).getLong();
            }
        }
        return out;
    }

    @Test
    public void twoReplicasEqualTheSingleDeviceStepOnTheWholeBatch() throws Exception {
        CocoDetectionDataset ds = tinyTrain();
        int k = ds.categories().size();
        BatchSource src = source(ds);
        long[] counts = shardBoxCounts(src);
        // the shards hold different numbers of boxes: a per-shard normaliser would not give the whole batch's terms
        assertNotEquals(counts[0], counts[1]);
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(5);
            ConditionalDetr single = DetectorFactory.create(student(k, true), m, 64);
            Engine.getInstance().setRandomSeed(5);
            ConditionalDetr primary = DetectorFactory.create(student(k, true), m, 64);
            List<float[]> before = values(single);
            assertBitEqual(values(primary), before, "same start");

            StepResult a = loop(DetectionTask.withDefaults(single), src, DetectionTask.weights(), null, null, 1)
                    .trainStep();
            TrainingLoop dp = loop(DetectionTask.withDefaults(primary), src, DetectionTask.weights(),
                    DataParallel.of(TWO_CPUS, (r, d, rm) -> DetectionTask.withDefaults(
                            DetectorFactory.create(student(k, true), rm, 64))), null, 1);
            assertEquals(dp.devices(), TWO_CPUS);
            StepResult b = dp.trainStep();

            assertTermsClose(a.terms(), b.terms(), 1e-5);
            assertEquals(b.loss(), a.loss(), 1e-5 * a.loss());
            assertEquals(b.gradNorm(), a.gradNorm(), 1e-5 * a.gradNorm());
            assertEquals(b.batchSize(), 4);
            double worst = compareUpdates(before, values(single), values(primary), 1e-5);
            System.out.printf(Locale.ROOT, "2 replicas vs 1 device (plain): shards with %d and %d boxes, "
                    + "largest update difference %.2g%n", counts[0], counts[1], worst);
            assertBitEqual(values(dp.replicaStudents().get(1)), values(primary), "replica 1 after the update");
        }
    }

    @Test
    public void perShardNormaliserWouldDifferGlobalOneDoesNot() {
        // the mechanism the equality above relies on: inside a data-parallel step num_boxes is the global count
        // shared over the replicas (DETR: all_reduce(num_boxes) / world_size, clamped at 1)
        assertEquals(SetCriterion.numBoxes(List.of()), 1f);
        try (ReplicaContext.Scope s = new ReplicaContext(1, 2, java.util.OptionalLong.of(7)).enter()) {
            assertEquals(SetCriterion.numBoxes(List.of()), 3.5f);
        }
        try (ReplicaContext.Scope s = new ReplicaContext(0, 4, java.util.OptionalLong.of(2)).enter()) {
            assertEquals(SetCriterion.numBoxes(List.of()), 1f);
        }
        assertTrue(ReplicaContext.current().isEmpty());
    }

    /** A DETRDistill task on the student; the method (adapters) built on the student's manager. */
    private static DistillationTask distillTask(ConditionalDetr student, ConditionalDetr teacher, int k,
            DetrDistillSettings settings, NDManager m) {
        return new DistillationTask(student, teacher, new DetrDistill(settings,
                new DistillationContext(teacher(k), student(k, true)), m));
    }

    private void distillationEquality(DetrDistillSettings settings, BatchSource src, int k, String label)
            throws Exception {
        try (NDManager tm = NDManager.newBaseManager(); NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(11);
            ConditionalDetr teacher = DetectorFactory.create(teacher(k), tm, 64);
            Engine.getInstance().setRandomSeed(5);
            DistillationTask single = distillTask(DetectorFactory.create(student(k, true), m, 64), teacher, k,
                    settings, m);
            Engine.getInstance().setRandomSeed(5);
            DistillationTask primary = distillTask(DetectorFactory.create(student(k, true), m, 64), teacher, k,
                    settings, m);
            assertTrue(primary.student() != primary.detector(), "the adapters are part of the student block");
            List<float[]> before = values(single.student());
            List<float[]> teacherBefore = values(teacher);
            assertBitEqual(values(primary.student()), before, "same start");

            StepResult a = loop(single, src, single.weights(), null, null, 1).trainStep();
            // one teacher per device: both replicas are on the CPU, so they share the primary's teacher
            TrainingLoop dp = loop(primary, src, primary.weights(), DataParallel.of(TWO_CPUS,
                    (r, d, rm) -> distillTask(DetectorFactory.create(student(k, true), rm, 64), teacher, k, settings,
                            rm)), null, 1);
            StepResult b = dp.trainStep();

            assertTrue(a.terms().keySet().stream().anyMatch(t -> t.startsWith("kd_")), a.terms().toString());
            assertTermsClose(a.terms(), b.terms(), 1e-5);
            double worst = compareUpdates(before, values(single.student()), values(primary.student()), 1e-5);
            System.out.printf(Locale.ROOT, "2 replicas vs 1 device (DETRDistill %s): largest update difference "
                    + "%.2g%n", label, worst);
            assertBitEqual(values(dp.replicaStudents().get(1)), values(primary.student()), "replica 1");
            assertBitEqual(values(teacher), teacherBefore, "the teacher is never updated");
        }
    }

    /**
     * DETRDistill's released-code preset (logits distillation over ALL teacher predictions, normalised by the B x M
     * pairs, hence by shard size; feature distillation a per-element mean; assignment distillation by the global
     * box count) on shards holding different numbers of boxes: equal to the single-device step.
     */
    @Test
    public void distillationWithTeacherEqualsSingleDeviceStep() throws Exception {
        CocoDetectionDataset ds = tinyTrain();
        distillationEquality(DetrDistillSettings.releasedCode(), source(ds), ds.categories().size(),
                "released-code");
    }

    /**
     * The paper preset's logits distillation averages over the teacher's matched (positive) and unmatched
     * (negative) pairs of its batch: a per-replica mean, equal to the whole batch's when the shards hold equal
     * numbers of boxes, as here (boxes per image 2, 1 | 1, 2).
     */
    @Test
    public void paperPresetDistillationEqualsSingleDeviceStepOnBalancedShards() throws Exception {
        distillationEquality(DetrDistillSettings.paper(), new FixedBatches(new int[] {2, 1, 1, 2}, 3), 3,
                "paper, balanced shards");
    }

    @Test
    public void replicasStayBitIdenticalWithTrainableBatchNorm() throws Exception {
        CocoDetectionDataset ds = tinyTrain();
        int k = ds.categories().size();
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(5);
            ConditionalDetr primary = DetectorFactory.create(student(k, false), m, 64);
            Engine.getInstance().setRandomSeed(77); // another start: overwritten by the primary's values
            TrainingLoop dp = loop(DetectionTask.withDefaults(primary), source(ds), DetectionTask.weights(),
                    DataParallel.of(TWO_CPUS, (r, d, rm) -> DetectionTask.withDefaults(
                            DetectorFactory.create(student(k, false), rm, 64))), null, 2);
            List<float[]> start = values(primary);
            assertBitEqual(values(dp.replicaStudents().get(1)), start, "replica 1 at the start");
            int arrays = -1;
            for (int i = 0; i < 3; i++) {
                dp.trainStep();
                assertBitEqual(values(dp.replicaStudents().get(1)), values(primary), "replica 1 after step " + i);
                if (i == 1) {
                    arrays = dp.managedArrayCount();
                }
            }
            assertEquals(dp.managedArrayCount(), arrays, "flat array count with replicas");
            // BatchNorm running statistics moved (trainable BN) and were broadcast with the weights
            int moved = 0;
            List<float[]> now = values(primary);
            for (int i = 0; i < start.size(); i++) {
                moved += java.util.Arrays.equals(start.get(i), now.get(i)) ? 0 : 1;
            }
            assertEquals(moved, start.size(), "every parameter and running statistic changed");
        }
    }

    @Test
    public void checkpointAndResumeWithTwoReplicasContinueExactly() throws Exception {
        Path root = Files.createTempDirectory("dp-resume");
        Toys.Data data = new Toys.Data(32, 1);
        LrSchedule schedule = new LrSchedule(1e-2, 2, new long[] {5}, 0.1);
        DataParallel.ReplicaFactory factory = (r, d, rm) -> new Toys.RegressionTask(Toys.mlp(rm, 100 + r), -1);
        List<float[]> straight;
        List<Float> straightLosses = new ArrayList<>();
        try (NDManager m = NDManager.newBaseManager()) {
            Block block = Toys.mlp(m, 5);
            TrainingLoop a = toyLoop(block, data, schedule, root.resolve("a"), factory);
            a.addListener(new TrainingListener() {
                @Override
                public void onStep(StepResult r) {
                    straightLosses.add(r.loss());
                }
            });
            a.fitUntil(8);
            straight = values(block);
        }
        try (NDManager m = NDManager.newBaseManager()) {
            toyLoop(Toys.mlp(m, 5), data, schedule, root.resolve("b"), factory).fitUntil(3);
        }
        List<Float> resumedLosses = new ArrayList<>();
        try (NDManager m = NDManager.newBaseManager()) {
            Block block = Toys.mlp(m, 999);
            TrainingLoop c = toyLoop(block, data, schedule, root.resolve("b"), factory);
            assertEquals(c.step(), 3);
            assertBitEqual(values(c.replicaStudents().get(1)), values(block), "replica re-broadcast on resume");
            c.addListener(new TrainingListener() {
                @Override
                public void onStep(StepResult r) {
                    resumedLosses.add(r.loss());
                }
            });
            c.fitUntil(8);
            assertBitEqual(values(block), straight, "resumed vs uninterrupted");
        }
        assertEquals(resumedLosses, straightLosses.subList(3, 8));
    }

    private static TrainingLoop toyLoop(Block block, Toys.Data data, LrSchedule schedule, Path dir,
            DataParallel.ReplicaFactory factory) throws Exception {
        TrainingConfig cfg = TrainingConfig.of(11, 8, 2, dir).withLogEvery(100);
        return new TrainingLoop(new Toys.RegressionTask(block, -1), data, Toys.RegressionTask.weights(), schedule,
                AdamW.builder(), cfg, DataParallel.of(TWO_CPUS, factory));
    }

    @Test
    public void badSettingsAreRefused() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            Block block = Toys.mlp(m, 5);
            TrainingConfig odd = TrainingConfig.of(1, 7, 1, null);
            IllegalArgumentException e = expectThrows(IllegalArgumentException.class, () -> new TrainingLoop(
                    new Toys.RegressionTask(block, -1), new Toys.Data(32, 1), Toys.RegressionTask.weights(),
                    LrSchedule.constant(1e-3), AdamW.builder(), odd,
                    DataParallel.of(TWO_CPUS, (r, d, rm) -> new Toys.RegressionTask(Toys.mlp(rm, 1), -1))));
            assertEquals(e.getMessage(), "batch size 7 is not a multiple of the 2 devices: every replica needs an "
                    + "equal shard");
            TrainingConfig cfg = TrainingConfig.of(1, 8, 1, null);
            e = expectThrows(IllegalArgumentException.class, () -> new TrainingLoop(
                    new Toys.RegressionTask(block, -1), new Toys.Data(32, 1), Toys.RegressionTask.weights(),
                    LrSchedule.constant(1e-3), AdamW.builder(), cfg,
                    DataParallel.of(TWO_CPUS, (r, d, rm) -> new Toys.RegressionTask(block, -1))));
            assertTrue(e.getMessage().contains("shares parameter"), e.getMessage());
        }
    }

    /**
     * Fixed 64-px detection batches: images and up to 4 boxes per sample drawn once from a seed (Java arrays, created
     * in the step manager); the image at batch position i keeps its first {@code counts[i % counts.length]} boxes.
     */
    static final class FixedBatches implements BatchSource {
        private static final int MAX = 4;
        private final int[] counts;
        private final int numClasses;
        private final float[][] images;
        private final float[][] boxes;
        private final long[][] classes;

        FixedBatches(int[] counts, int numClasses) {
            this.counts = counts;
            this.numClasses = numClasses;
            int n = 8;
            Random r = new Random(42);
            images = new float[n][3 * 64 * 64];
            boxes = new float[n][MAX * 4];
            classes = new long[n][MAX];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < images[i].length; j++) {
                    images[i][j] = (float) r.nextGaussian();
                }
                for (int j = 0; j < MAX; j++) {
                    classes[i][j] = r.nextInt(numClasses);
                    boxes[i][4 * j] = 0.25f + 0.5f * r.nextFloat();
                    boxes[i][4 * j + 1] = 0.25f + 0.5f * r.nextFloat();
                    boxes[i][4 * j + 2] = 0.1f + 0.3f * r.nextFloat();
                    boxes[i][4 * j + 3] = 0.1f + 0.3f * r.nextFloat();
                }
            }
        }

        @Override
        public int size() {
            return images.length;
        }

        @Override
        public Batch batch(NDManager manager, int[] indices) {
            int b = indices.length;
            float[] im = new float[b * 3 * 64 * 64];
            float[] bx = new float[b * MAX * 4];
            long[] cl = new long[b * MAX];
            long[] n = new long[b];
            for (int i = 0; i < b; i++) {
                // batch position decides the count, so that every batch's shards are balanced like the pattern
                int src = indices[i];
                System.arraycopy(images[src], 0, im, i * images[src].length, images[src].length);
                int c = counts[i % counts.length];
                n[i] = c;
                for (int j = 0; j < MAX; j++) {
                    cl[i * MAX + j] = j < c ? classes[src][j] : -1;
                    for (int q = 0; q < 4; q++) {
                        bx[(i * MAX + j) * 4 + q] = j < c ? boxes[src][4 * j + q] : 0f;
                    }
                }
            }
            NDList data = new NDList(manager.create(im, new Shape(b, 3, 64, 64)),
                    manager.zeros(new Shape(b, 64, 64), DataType.BOOLEAN));
            NDList labels = new NDList(manager.create(cl, new Shape(b, MAX)), manager.create(bx, new Shape(b, MAX, 4)),
                    manager.create(n, new Shape(b)));
            return new Batch(data, labels, b);
        }
    }
}
