package org.detrkd.detr.engine;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertNotEquals;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.testng.annotations.Test;

public class TrainingLoopTest {

    private static final Toys.Data DATA = new Toys.Data(64, 1);
    private static final LrSchedule SCHEDULE = new LrSchedule(1e-2, 3, new long[] {9}, 0.1);

    private static TrainingLoop loop(TrainingTask task, Path dir, int epochs) throws IOException {
        TrainingConfig cfg = TrainingConfig.of(11, 8, epochs, dir).withLogEvery(4);
        return new TrainingLoop(task, DATA, Toys.RegressionTask.weights(), SCHEDULE, AdamW.builder(), cfg);
    }

    private static List<float[]> snapshot(Block block) {
        List<float[]> out = new ArrayList<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            out.add(p.getValue().getArray().toFloatArray());
        }
        return out;
    }

    private static void assertBitEqual(List<float[]> a, List<float[]> b) {
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.get(i).length, b.get(i).length);
            for (int j = 0; j < a.get(i).length; j++) {
                assertEquals(Float.floatToRawIntBits(a.get(i)[j]), Float.floatToRawIntBits(b.get(i)[j]),
                        "parameter " + i + " element " + j);
            }
        }
    }

    @Test
    public void resumedRunEqualsUninterruptedRunBitForBit() throws Exception {
        Path root = Files.createTempDirectory("engine-resume");
        List<Float> straightLosses = new ArrayList<>();
        List<Float> resumedLosses = new ArrayList<>();
        List<float[]> straight;
        try (NDManager m = NDManager.newBaseManager()) {
            Block block = Toys.mlp(m, 5);
            TrainingLoop a = loop(new Toys.RegressionTask(block, -1), root.resolve("a"), 2);
            a.addListener(new TrainingListener() {
                @Override
                public void onStep(StepResult r) {
                    straightLosses.add(r.loss());
                }
            });
            a.fitUntil(12);
            straight = snapshot(block);
        }
        try (NDManager m = NDManager.newBaseManager()) {
            loop(new Toys.RegressionTask(Toys.mlp(m, 5), -1), root.resolve("b"), 2).fitUntil(6);
        }
        List<float[]> resumed;
        try (NDManager m = NDManager.newBaseManager()) {
            Block block = Toys.mlp(m, 1234); // different initial weights: all overwritten by the checkpoint
            TrainingLoop c = loop(new Toys.RegressionTask(block, -1), root.resolve("b"), 2);
            assertEquals(c.step(), 6);
            c.addListener(new TrainingListener() {
                @Override
                public void onStep(StepResult r) {
                    resumedLosses.add(r.loss());
                }
            });
            c.fitUntil(12);
            resumed = snapshot(block);
        }
        assertBitEqual(resumed, straight);
        assertEquals(resumedLosses, straightLosses.subList(6, 12));
        assertNotEquals(straightLosses.get(0), straightLosses.get(11));

        // epoch-end checkpoint at step 8 and the final one at 12 (keep 2); b: 6 then 8 and 12 after resume
        CheckpointStore store = new CheckpointStore(root.resolve("a"), 0);
        assertEquals(store.list().stream().map(p -> p.getFileName().toString()).toList(),
                List.of("step-000000000008", "step-000000000012"));
        CheckpointState s = store.readState(store.latest().orElseThrow());
        assertEquals(s.step(), 12);
        assertEquals(s.epoch(), 1);
        assertEquals(s.optimizerSteps(), 12);
        assertEquals(s.metrics().get("lr"), 1e-3, 1e-12);
        assertTrue(s.metrics().containsKey("loss_l1_0"));
        assertTrue(s.metrics().containsKey("epoch_mean/loss_mse"));
    }

    @Test
    public void checkpointOfAnotherRunIsRefused() throws Exception {
        Path dir = Files.createTempDirectory("engine-other");
        try (NDManager m = NDManager.newBaseManager()) {
            loop(new Toys.RegressionTask(Toys.mlp(m, 5), -1), dir, 1).fitUntil(2);
            TrainingConfig other = TrainingConfig.of(12, 8, 1, dir);
            IllegalStateException e = expectThrows(IllegalStateException.class, () -> new TrainingLoop(
                    new Toys.RegressionTask(Toys.mlp(m, 5), -1), DATA, Toys.RegressionTask.weights(), SCHEDULE,
                    AdamW.builder(), other));
            assertTrue(e.getMessage().endsWith("checkpoint of a different run (seed 11, batch 8, 8 steps per epoch)"
                    + " than this one (seed 12, batch 8, 8)"), e.getMessage());
        }
    }

    @Test
    public void incompleteAndTemporaryCheckpointsAreIgnoredAndCleaned() throws Exception {
        Path dir = Files.createTempDirectory("engine-atomic");
        Files.createDirectories(dir.resolve(".tmp-step-000000000004-123"));
        Files.createDirectories(dir.resolve("step-000000000099"));
        try (NDManager m = NDManager.newBaseManager()) {
            TrainingLoop l = loop(new Toys.RegressionTask(Toys.mlp(m, 5), -1), dir, 1);
            assertEquals(l.step(), 0);
            assertFalse(Files.exists(dir.resolve(".tmp-step-000000000004-123")));
            l.fitUntil(3);
            assertEquals(new CheckpointStore(dir, 0).latest().orElseThrow().getFileName().toString(),
                    "step-000000000003");
        }
    }

    @Test
    public void nonFiniteTermStopsTheRunNamingStepAndTerm() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            TrainingLoop l = loop(new Toys.RegressionTask(Toys.mlp(m, 5), 3), null, 1);
            DivergenceException e = expectThrows(DivergenceException.class, l::fit);
            assertEquals(e.getMessage(), "training diverged at step 3 (lr 0.01): non-finite {loss_l1_0=NaN}");
            assertEquals(e.step(), 3);
            assertEquals(l.step(), 3);
            try (NDManager sub = m.newSubManager()) {
                for (NDArray g : l.parameters().gradients(sub)) {
                    assertEquals(g.abs().sum().getFloat(), 0f, "NaN gradients are cleared");
                }
            }
        }
    }

    @Test
    public void managedArrayCountStaysFlatOverManySteps() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            TrainingLoop l = loop(new Toys.RegressionTask(Toys.mlp(m, 5), -1), null, 25);
            int after20 = -1;
            for (int i = 1; i <= 200; i++) {
                l.trainStep();
                if (i == 20) {
                    after20 = l.managedArrayCount();
                }
            }
            assertEquals(l.managedArrayCount(), after20);
            StepTimings t = l.timings();
            assertEquals(t.steps(), 200);
            for (StepTimings.Phase p : List.of(StepTimings.Phase.DATA, StepTimings.Phase.FORWARD,
                    StepTimings.Phase.BACKWARD, StepTimings.Phase.CLIP, StepTimings.Phase.OPTIMIZER)) {
                assertTrue(t.seconds(p) > 0, p.name());
            }
            assertEquals(t.seconds(StepTimings.Phase.TEACHER), 0.0);
        }
    }

    /** The flatness check can fail: a parameter-first op in the loss leaks one array per step. */
    @Test
    public void parameterFirstOpIsSeenAsALeak() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            Block block = Toys.mlp(m, 5);
            NDArray w = block.getParameters().get(0).getValue().getArray();
            TrainingTask leaky = new Toys.RegressionTask(block, -1) {
                @Override
                public Map<String, NDArray> losses(ParameterStore store, NDList data, NDList labels, NDList t,
                        boolean training) {
                    Map<String, NDArray> base = super.losses(store, data, labels, t, training);
                    NDArray leak = w.sum().mul(0); // attached to the model's manager
                    return Map.of("loss_mse", base.get("loss_mse").add(leak), "loss_l1_0", base.get("loss_l1_0"));
                }
            };
            TrainingLoop l = loop(leaky, null, 1);
            l.trainStep();
            int before = l.managedArrayCount();
            for (int i = 0; i < 5; i++) {
                l.trainStep();
            }
            assertTrue(l.managedArrayCount() >= before + 5, before + " -> " + l.managedArrayCount());
        }
    }

    @Test
    public void frozenTeacherIsNeverUpdated() throws Exception {
        try (NDManager m = NDManager.newBaseManager(); NDManager tm = NDManager.newBaseManager()) {
            Block student = Toys.mlp(m, 5);
            Block teacher = Toys.teacher(tm);
            List<float[]> teacherBefore = snapshot(teacher);
            List<float[]> studentBefore = snapshot(student);
            int teacherArrays = tm.getManagedArrays().size();
            LossWeights w = new LossWeights(Map.of("loss_kd", 1.0, "loss_mse", 1.0));
            TrainingLoop l = new TrainingLoop(new Toys.MimicTask(student, teacher), DATA, w, SCHEDULE,
                    AdamW.builder(), TrainingConfig.of(3, 8, 3, null));
            l.fit();
            assertEquals(l.step(), 24);
            assertEquals(tm.getManagedArrays().size(), teacherArrays, "teacher outputs are closed with each step");
            assertBitEqual(snapshot(teacher), teacherBefore); // weights and BatchNorm running statistics
            for (Pair<String, Parameter> p : teacher.getParameters()) {
                NDArray a = p.getValue().getArray();
                if (a.hasGradient()) {
                    assertEquals(a.getGradient().abs().sum().getFloat(), 0f, p.getKey());
                }
            }
            assertNotEquals(snapshot(student).get(0), studentBefore.get(0));
            assertTrue(l.timings().seconds(StepTimings.Phase.TEACHER) > 0);

            IllegalArgumentException e = expectThrows(IllegalArgumentException.class, () -> new TrainingLoop(
                    new Toys.MimicTask(student, student), DATA, w, SCHEDULE, AdamW.builder(),
                    TrainingConfig.of(3, 8, 1, null)));
            assertTrue(e.getMessage().contains("is also a student parameter"), e.getMessage());
        }
    }

    @Test
    public void validationLossesAreMeansOverAllSamplesWithoutDropout() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            Block block = Toys.mlp(m, 5);
            Map<String, Double> means = LossEvaluator.evaluate(
                    new Toys.RegressionTask(block, -1), DATA, Toys.RegressionTask.weights(), 16);
            BatchSource.Batch all = DATA.batch(m, java.util.stream.IntStream.range(0, 64).toArray());
            NDArray diff = block.forward(new ParameterStore(m, false), all.data(), false).singletonOrThrow()
                    .sub(all.labels().singletonOrThrow());
            double mse = diff.square().mean().getFloat();
            double l1 = diff.abs().mean().getFloat();
            assertEquals(means.get("loss_mse"), mse, 1e-5);
            assertEquals(means.get("loss_l1_0"), l1, 1e-5);
            assertEquals(means.get("loss"), mse + 0.5 * l1, 1e-5);
        }
    }
}
