package org.detrkd.detr.engine;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.norm.Dropout;
import ai.djl.training.ParameterStore;

import java.util.Map;
import java.util.Optional;
import java.util.Random;

/** Toy models, data and tasks for the engine tests. */
final class Toys {

    static final int FEATURES = 8;

    private Toys() {}

    /** MLP 8 -> 16 -> dropout -> 1, initialised from an engine seed. */
    static Block mlp(NDManager manager, long initSeed) {
        SequentialBlock b = new SequentialBlock()
                .add(Linear.builder().setUnits(16).build())
                .add(Activation.reluBlock())
                .add(Dropout.builder().optRate(0.2f).build())
                .add(Linear.builder().setUnits(1).build());
        Engine.getInstance().setRandomSeed((int) initSeed);
        b.initialize(manager, DataType.FLOAT32, new Shape(1, FEATURES));
        return b;
    }

    /** A frozen "teacher": Linear 8 -> 4 -> BatchNorm -> Linear 1. */
    static Block teacher(NDManager manager) {
        SequentialBlock b = new SequentialBlock()
                .add(Linear.builder().setUnits(4).build())
                .add(BatchNorm.builder().build())
                .add(Linear.builder().setUnits(1).build());
        Engine.getInstance().setRandomSeed(99);
        b.initialize(manager, DataType.FLOAT32, new Shape(2, FEATURES));
        return b;
    }

    /** Regression data y = x . w + noise, held as Java arrays so that batches are created in the step manager. */
    static final class Data implements BatchSource {
        final float[][] x;
        final float[] y;

        Data(int n, long seed) {
            Random r = new Random(seed);
            float[] w = new float[FEATURES];
            for (int j = 0; j < FEATURES; j++) {
                w[j] = (float) r.nextGaussian();
            }
            x = new float[n][FEATURES];
            y = new float[n];
            for (int i = 0; i < n; i++) {
                double s = 0;
                for (int j = 0; j < FEATURES; j++) {
                    x[i][j] = (float) r.nextGaussian();
                    s += x[i][j] * w[j];
                }
                y[i] = (float) (s + 0.1 * r.nextGaussian());
            }
        }

        @Override
        public int size() {
            return y.length;
        }

        @Override
        public Batch batch(NDManager manager, int[] indices) {
            float[] xs = new float[indices.length * FEATURES];
            float[] ys = new float[indices.length];
            for (int i = 0; i < indices.length; i++) {
                System.arraycopy(x[indices[i]], 0, xs, i * FEATURES, FEATURES);
                ys[i] = y[indices[i]];
            }
            return new Batch(new NDList(manager.create(xs, new Shape(indices.length, FEATURES))),
                    new NDList(manager.create(ys, new Shape(indices.length, 1))), indices.length);
        }
    }

    /** MSE + an auxiliary L1 term named like a DETR decoder-stage copy; optionally a NaN term at one call. */
    static class RegressionTask implements TrainingTask {
        final Block student;
        final int nanAtCall;
        int calls;

        RegressionTask(Block student, int nanAtCall) {
            this.student = student;
            this.nanAtCall = nanAtCall;
        }

        @Override
        public Block student() {
            return student;
        }

        @Override
        public Map<String, NDArray> losses(ParameterStore store, NDList data, NDList labels, NDList teacherOutputs,
                boolean training) {
            NDArray pred = student.forward(store, data, training).singletonOrThrow();
            NDArray diff = pred.sub(labels.singletonOrThrow());
            NDArray mse = diff.square().mean();
            NDArray l1 = diff.abs().mean();
            if (calls++ == nanAtCall) {
                l1 = l1.mul(Float.NaN);
            }
            return Map.of("loss_mse", mse, "loss_l1_0", l1);
        }

        static LossWeights weights() {
            return new LossWeights(Map.of("loss_mse", 1.0, "loss_l1", 0.5));
        }
    }

    /** Student mimics a frozen teacher's output (distillation shape of the contract). */
    static final class MimicTask implements TrainingTask {
        final Block student;
        final Block teacher;

        MimicTask(Block student, Block teacher) {
            this.student = student;
            this.teacher = teacher;
        }

        @Override
        public Block student() {
            return student;
        }

        @Override
        public Optional<TeacherHook> teacher() {
            // returns the teacher's output and one of its parameters (as a detector returns its query embeddings)
            return Optional.of(new TeacherHook() {
                @Override
                public Block block() {
                    return teacher;
                }

                @Override
                public NDList forward(ParameterStore store, NDList data, NDList labels) {
                    NDList out = teacher.forward(store, data, false);
                    out.add(teacher.getParameters().get(0).getValue().getArray());
                    return out;
                }
            });
        }

        @Override
        public Map<String, NDArray> losses(ParameterStore store, NDList data, NDList labels, NDList teacherOutputs,
                boolean training) {
            NDArray pred = student.forward(store, data, training).singletonOrThrow();
            NDArray kd = pred.sub(teacherOutputs.get(0)).square().mean();
            NDArray gt = pred.sub(labels.singletonOrThrow()).square().mean();
            return Map.of("loss_kd", kd, "loss_mse", gt);
        }
    }
}
