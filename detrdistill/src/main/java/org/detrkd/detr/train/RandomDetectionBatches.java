package org.detrkd.detr.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import org.detrkd.detr.engine.BatchSource;

import java.util.SplittableRandom;

/**
 * Random detection batches in {@code DetectionBatchifier}'s layout, for timing: images {@code [B, 3, S, S]} standard
 * normal (drawn by the engine), no padding, and per image 1 to 6 boxes of random classes, centres in
 * {@code [0.2, 0.8]}, sides in {@code [0.05, 0.45]} (normalised), drawn from {@code (seed, first index)}.
 */
final class RandomDetectionBatches implements BatchSource {

    private static final int MAX_BOXES = 6;

    private final int size;
    private final int imageSize;
    private final int numClasses;
    private final long seed;

    RandomDetectionBatches(int size, int imageSize, int numClasses, long seed) {
        this.size = size;
        this.imageSize = imageSize;
        this.numClasses = numClasses;
        this.seed = seed;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public Batch batch(NDManager manager, int[] indices) {
        int b = indices.length;
        SplittableRandom rng = new SplittableRandom(seed * 1_000_003L + indices[0]);
        long[] classes = new long[b * MAX_BOXES];
        float[] boxes = new float[b * MAX_BOXES * 4];
        long[] counts = new long[b];
        java.util.Arrays.fill(classes, -1);
        for (int i = 0; i < b; i++) {
            counts[i] = 1 + rng.nextInt(MAX_BOXES);
            for (int j = 0; j < counts[i]; j++) {
                int o = i * MAX_BOXES + j;
                classes[o] = rng.nextInt(numClasses);
                boxes[4 * o] = (float) (0.2 + 0.6 * rng.nextDouble());
                boxes[4 * o + 1] = (float) (0.2 + 0.6 * rng.nextDouble());
                boxes[4 * o + 2] = (float) (0.05 + 0.4 * rng.nextDouble());
                boxes[4 * o + 3] = (float) (0.05 + 0.4 * rng.nextDouble());
            }
        }
        NDArray images = manager.randomNormal(new Shape(b, 3, imageSize, imageSize));
        NDArray mask = manager.zeros(new Shape(b, imageSize, imageSize), DataType.BOOLEAN);
        NDList labels = new NDList(manager.create(classes, new Shape(b, MAX_BOXES)),
                manager.create(boxes, new Shape(b, MAX_BOXES, 4)), manager.create(counts, new Shape(b)));
        return new Batch(new NDList(images, mask), labels, b);
    }
}
