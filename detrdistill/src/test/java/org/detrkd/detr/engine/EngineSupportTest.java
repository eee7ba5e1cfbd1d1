package org.detrkd.detr.engine;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.translate.Batchifier;

import org.testng.annotations.Test;

/** Thread report, memory sampling and the DJL dataset adapter. */
public class EngineSupportTest {

    @Test
    public void threadReportShowsTheConfiguredCounts() {
        EngineThreads.Report r = EngineThreads.report();
        // surefire starts the JVM with -Dai.djl.pytorch.num_threads / num_interop_threads
        assertEquals(r.intraOp(), Integer.parseInt(System.getProperty(EngineThreads.INTRA_OP_PROPERTY)));
        assertEquals(r.interOp(), Integer.parseInt(System.getProperty(EngineThreads.INTER_OP_PROPERTY)));
        assertEquals(r.cores(), Runtime.getRuntime().availableProcessors());
        assertTrue(r.engine().startsWith("PyTorch "), r.engine());
    }

    @Test
    public void memorySampleReadsProcStatus() {
        MemoryStats m = MemoryStats.sample();
        assertTrue(m.heapUsedBytes() > 0 && m.heapUsedBytes() <= m.heapMaxBytes(), m.toString());
        assertTrue(m.rssBytes() > 0, "VmRSS on Linux: " + m);
        assertTrue(m.peakRssBytes() >= m.rssBytes(), m.toString());
    }

    @Test
    public void datasetSourceBatchesTheRequestedSamplesInOrder() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            ArrayDataset ds = new ArrayDataset.Builder()
                    .setData(m.arange(12f).reshape(6, 2))
                    .optLabels(m.arange(6f).reshape(6, 1))
                    .setSampling(1, false)
                    .build();
            DatasetBatchSource source = new DatasetBatchSource(ds, Batchifier.STACK, Batchifier.STACK);
            assertEquals(source.size(), 6);
            try (NDManager step = m.newSubManager()) {
                BatchSource.Batch b = source.batch(step, new int[] {4, 1});
                assertEquals(b.size(), 2);
                assertEquals(b.data().head().getShape(), new Shape(2, 2));
                assertEquals(b.data().head().toFloatArray(), new float[] {8, 9, 2, 3});
                assertEquals(b.labels().head().toFloatArray(), new float[] {4, 1});
                assertEquals(b.data().head().getManager(), step);
            }
        }
    }
}
