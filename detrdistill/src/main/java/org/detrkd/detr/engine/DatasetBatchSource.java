package org.detrkd.detr.engine;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.dataset.RandomAccessDataset;
import ai.djl.training.dataset.Record;
import ai.djl.translate.Batchifier;

import java.io.IOException;

/**
 * A {@link BatchSource} over a DJL {@link RandomAccessDataset} (which must be prepared), with separate batchifiers for
 * data and labels (detection labels need a padding batchifier: variable box counts per image).
 */
public final class DatasetBatchSource implements BatchSource {

    private final RandomAccessDataset dataset;
    private final Batchifier dataBatchifier;
    private final Batchifier labelBatchifier;

    /**
     * @param dataset the prepared dataset
     * @param dataBatchifier how samples' data are combined (e.g. {@link Batchifier#STACK})
     * @param labelBatchifier how samples' labels are combined
     */
    public DatasetBatchSource(RandomAccessDataset dataset, Batchifier dataBatchifier, Batchifier labelBatchifier) {
        this.dataset = dataset;
        this.dataBatchifier = dataBatchifier;
        this.labelBatchifier = labelBatchifier;
    }

    @Override
    public int size() {
        return Math.toIntExact(dataset.size());
    }

    @Override
    public Batch batch(NDManager manager, int[] indices) throws IOException {
        try (NDManager samples = manager.newSubManager()) {
            NDList[] data = new NDList[indices.length];
            NDList[] labels = new NDList[indices.length];
            for (int i = 0; i < indices.length; i++) {
                Record r = dataset.get(samples, indices[i]);
                data[i] = r.getData();
                labels[i] = r.getLabels();
            }
            NDList d = dataBatchifier.batchify(data);
            NDList l = labelBatchifier.batchify(labels);
            d.attach(manager);
            l.attach(manager);
            return new Batch(d, l, indices.length);
        }
    }
}
