package org.detrkd.detr.engine;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import org.testng.annotations.Test;

public class CheckpointStoreTest {

    @Test
    public void weightsRoundTripExactlyAndAMismatchNamesTheFile() throws Exception {
        Path dir = Files.createTempDirectory("engine-weights");
        Path file = dir.resolve("w.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            Block a = Toys.mlp(m, 5);
            try (OutputStream out = Files.newOutputStream(file)) {
                CheckpointStore.saveWeights(a, out);
            }
            Block b = Toys.mlp(m, 6);
            float[] before = b.getParameters().get(0).getValue().getArray().toFloatArray();
            CheckpointStore.loadWeights(b, file);
            for (int i = 0; i < a.getParameters().size(); i++) {
                assertEquals(b.getParameters().get(i).getValue().getArray().toFloatArray(),
                        a.getParameters().get(i).getValue().getArray().toFloatArray());
            }
            assertTrue(before[0] != b.getParameters().get(0).getValue().getArray().toFloatArray()[0]);
            // names restored on the arrays after saving
            assertEquals(a.getParameters().get(0).getValue().getArray().getName(), "weight");

            Block other = Toys.teacher(m);
            IOException e = expectThrows(IOException.class, () -> CheckpointStore.loadWeights(other, file));
            assertEquals(e.getMessage(), file + ": has 4 arrays, the block has 8 parameters");
        }
    }
}
