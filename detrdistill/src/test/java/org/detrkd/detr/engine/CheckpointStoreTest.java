package org.detrkd.detr.engine;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

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

    @Test
    public void replacedAndPrunedCheckpointsGoThroughATemporaryNameAndLeaveNothingBehind() throws Exception {
        Path dir = Files.createTempDirectory("engine-replace");
        try (NDManager m = NDManager.newBaseManager()) {
            Block block = Toys.mlp(m, 5);
            AdamW opt = AdamW.builder().build(new TrainableParameters(block), m);
            CheckpointStore store = new CheckpointStore(dir, 2);
            for (long step = 1; step <= 3; step++) {
                store.save(new CheckpointState(step, 0, 1, 4, 2, step, Map.of("x", 1.0)), block, opt);
            }
            store.save(new CheckpointState(3, 0, 1, 4, 2, 3, Map.of("x", 2.0)), block, opt); // the same step again
            try (Stream<Path> s = Files.list(dir)) {
                assertEquals(s.map(p -> p.getFileName().toString()).sorted().toList(),
                        List.of("step-000000000002", "step-000000000003"), "no leftover temporary folder");
            }
            assertEquals(store.readState(store.latest().orElseThrow()).metrics().get("x"), 2.0);
            for (String f : List.of(CheckpointStore.STUDENT, CheckpointStore.OPTIMIZER, CheckpointStore.STATE)) {
                assertTrue(Files.isRegularFile(store.latest().orElseThrow().resolve(f)), f);
            }

            // a folder renamed aside by a process killed before deleting it is removed on the next start
            Files.createDirectories(dir.resolve(".tmp-discard-step-000000000001-42"));
            Files.writeString(dir.resolve(".tmp-discard-step-000000000001-42").resolve(CheckpointStore.STATE), "{}");
            new CheckpointStore(dir, 2);
            assertFalse(Files.exists(dir.resolve(".tmp-discard-step-000000000001-42")));
        }
    }
}
