package org.detrkd.detr.engine;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

import java.io.IOException;

/**
 * Random access to training samples, batched on demand. The engine decides the order (a seeded permutation per
 * epoch, see {@link StepSeeds}) and asks for the samples of one batch at a time; a source therefore keeps no
 * iteration state, which is what makes resuming mid-epoch exact. {@link DatasetBatchSource} adapts a DJL
 * {@code RandomAccessDataset}.
 */
public interface BatchSource {

    /**
     * @return number of samples
     */
    int size();

    /**
     * Loads and batches the given samples.
     *
     * @param manager the step manager: every returned array must be attached to it (it is closed after the step)
     * @param indices sample indices, in batch order
     * @return the batch
     * @throws IOException if a sample cannot be read
     */
    Batch batch(NDManager manager, int[] indices) throws IOException;

    /**
     * One batch.
     *
     * @param data model inputs (for DETR: {@code [B, 3, H, W]} images, {@code [B, H, W]} padding mask)
     * @param labels targets (for DETR: padded per-image boxes and classes)
     * @param size number of samples in the batch (B)
     */
    record Batch(NDList data, NDList labels, int size) {}
}
