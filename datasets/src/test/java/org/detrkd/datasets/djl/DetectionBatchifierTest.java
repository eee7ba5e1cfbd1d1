package org.detrkd.datasets.djl;

import static org.testng.Assert.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.dataset.Batch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.detrkd.datasets.djl.augment.Augmentation;
import org.detrkd.datasets.djl.augment.Augmentations;
import org.testng.annotations.Test;

public class DetectionBatchifierTest {
    private static NDList image(NDManager m, int h, int w, float base) {
        float[] v = new float[3 * h * w];
        for (int i = 0; i < v.length; i++) {
            v[i] = base + i;
        }
        return new NDList(m.create(v, new Shape(3, h, w)));
    }

    private static NDList target(NDManager m, long[] classes, float[] boxes, long id) {
        return new NDList(m.create(classes, new Shape(classes.length)),
                m.create(boxes, new Shape(classes.length, 4)), m.create(id),
                m.create(new long[] {10, 20}), m.create(new long[] {5, 6}));
    }

    @Test
    public void padsImagesBottomRightWithATrueWherePaddingMask() {
        DetectionBatchifier batchifier = new DetectionBatchifier();
        try (NDManager m = NDManager.newBaseManager()) {
            NDList batch = batchifier.batchify(new NDList[] {image(m, 2, 3, 0), image(m, 4, 1, 1000)});
            NDArray images = batch.get(0);
            NDArray mask = batch.get(1);
            assertEquals(images.getShape(), new Shape(2, 3, 4, 3));
            assertEquals(mask.getShape(), new Shape(2, 4, 3));
            assertEquals(mask.getDataType(), DataType.BOOLEAN);
            float[] px = images.toFloatArray();
            boolean[] pad = mask.toBooleanArray();
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < 4; y++) {
                    for (int x = 0; x < 3; x++) {
                        boolean real0 = y < 2 && x < 3;
                        boolean real1 = y < 4 && x < 1;
                        float v0 = px[((0 * 3 + c) * 4 + y) * 3 + x];
                        float v1 = px[((1 * 3 + c) * 4 + y) * 3 + x];
                        assertEquals(v0, real0 ? c * 6 + y * 3 + x : 0f, "item 0 " + c + "," + y + "," + x);
                        assertEquals(v1, real1 ? 1000 + c * 4 + y : 0f, "item 1 " + c + "," + y + "," + x);
                        assertEquals(pad[y * 3 + x], !real0);
                        assertEquals(pad[12 + y * 3 + x], !real1);
                    }
                }
            }
            NDList[] back = batchifier.unbatchify(batch);
            assertEquals(back.length, 2);
            assertEquals(back[0].head().getShape(), new Shape(3, 2, 3));
            assertEquals(back[1].head().getShape(), new Shape(3, 4, 1));
            assertEquals(back[1].head().toFloatArray(), image(m, 4, 1, 1000).head().toFloatArray());
        }
    }

    @Test
    public void equalSizesGiveAnAllFalseMask() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDList batch = new DetectionBatchifier().batchify(new NDList[] {image(m, 2, 2, 0), image(m, 2, 2, 50)});
            assertEquals(batch.get(0).toFloatArray()[12], 50f);
            assertEquals(batch.get(1).toBooleanArray(), new boolean[8]);
        }
    }

    @Test
    public void padsTargetsWithMinusOneAndZeroAndCounts() {
        DetectionBatchifier batchifier = new DetectionBatchifier();
        try (NDManager m = NDManager.newBaseManager()) {
            NDList[] items = {
                target(m, new long[] {4}, new float[] {.1f, .2f, .3f, .4f}, 11),
                target(m, new long[0], new float[0], 12),
                target(m, new long[] {0, 2}, new float[] {.5f, .5f, 1, 1, .25f, .75f, .5f, .5f}, 13),
            };
            NDList batch = batchifier.batchify(items);
            assertEquals(batch.size(), 6);
            assertEquals(batch.get(0).getShape(), new Shape(3, 2));
            assertEquals(batch.get(0).toLongArray(), new long[] {4, -1, -1, -1, 0, 2});
            assertEquals(batch.get(1).getShape(), new Shape(3, 2, 4));
            assertEquals(batch.get(1).toFloatArray(), new float[] {.1f, .2f, .3f, .4f, 0, 0, 0, 0,
                0, 0, 0, 0, 0, 0, 0, 0, .5f, .5f, 1, 1, .25f, .75f, .5f, .5f});
            assertEquals(batch.get(2).toLongArray(), new long[] {1, 0, 2});
            assertEquals(batch.get(3).toLongArray(), new long[] {11, 12, 13});
            assertEquals(batch.get(4).getShape(), new Shape(3, 2));
            assertEquals(batch.get(5).toLongArray(), new long[] {5, 6, 5, 6, 5, 6});
            assertEquals(batch.get(0).getName(), "classes");
            assertEquals(batch.get(3).getName(), "image_ids");
            NDList[] back = batchifier.unbatchify(batch);
            assertEquals(back[1].get(0).getShape(), new Shape(0));
            assertEquals(back[2].get(1).toFloatArray(), items[2].get(1).toFloatArray());
            assertEquals(back[2].get(2).getLong(), 13L);
        }
    }

    @Test
    public void prefetchingThreadsGiveTheSameBatchesAsOneThread() throws Exception {
        Path root = TinyCoco.write(Files.createTempDirectory("tinycoco-threads"));
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            CocoDetectionDataset ds = CocoDetectionDataset.builder().setRoot(root).setSplit("train")
                    .setSampling(1, false).optSeed(3).optAugmentation(Augmentations
                            .detrTrain(List.of(6, 8), 12, List.of(8), 4, 6)).build();
            ds.setEpoch(2);
            try (NDManager m = NDManager.newBaseManager()) {
                List<String> serial = new ArrayList<>();
                for (Batch b : ds.getData(m)) {
                    serial.add(Arrays.toString(b.getData().get(0).toFloatArray())
                            + Arrays.toString(b.getLabels().get(1).toFloatArray()));
                    b.close();
                }
                List<String> parallel = new ArrayList<>();
                for (Batch b : ds.getData(m, pool)) {
                    parallel.add(Arrays.toString(b.getData().get(0).toFloatArray())
                            + Arrays.toString(b.getLabels().get(1).toFloatArray()));
                    b.close();
                }
                assertEquals(serial.size(), 3);
                assertEquals(parallel, serial);
            }
        } finally {
            pool.shutdownNow();
            CocoDetectionDatasetTest.delete(root);
        }
    }

    @Test
    public void datasetBatchesThroughDjlDataIterable() throws Exception {
        Path root = TinyCoco.write(Files.createTempDirectory("tinycoco-batch"));
        try {
            CocoDetectionDataset ds = CocoDetectionDataset.builder().setRoot(root).setSplit("train")
                    .setSampling(3, false).optAugmentation(Augmentation.NONE).build();
            try (NDManager m = NDManager.newBaseManager()) {
                int batches = 0;
                for (Batch batch : ds.getData(m)) {
                    NDList data = batch.getData();
                    NDList labels = batch.getLabels();
                    assertEquals(data.get(0).getShape(), new Shape(3, 3, 10, 12));
                    boolean[] pad = data.get(1).toBooleanArray();
                    // item 1 is 5 wide, 4 high
                    assertEquals(pad[120 + 3 * 12 + 4], false);
                    assertEquals(pad[120 + 3 * 12 + 5], true);
                    assertEquals(pad[120 + 4 * 12], true);
                    assertEquals(labels.get(0).toLongArray(), new long[] {1, 2, 0, -1, 0, -1});
                    assertEquals(labels.get(2).toLongArray(), new long[] {2, 1, 1});
                    assertEquals(labels.get(3).toLongArray(), new long[] {11, 42, 7});
                    assertEquals(labels.get(4).toLongArray(), new long[] {6, 8, 4, 5, 10, 12});
                    batch.close();
                    batches++;
                }
                assertEquals(batches, 1);
            }
        } finally {
            CocoDetectionDatasetTest.delete(root);
        }
    }
}
