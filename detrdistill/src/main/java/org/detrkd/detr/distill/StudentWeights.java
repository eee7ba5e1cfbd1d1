package org.detrkd.detr.distill;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.detrkd.detr.engine.CheckpointStore;

/**
 * Loads a detector's weights from a checkpoint of either a plain training run or a distillation run (whose
 * checkpoints hold a {@link StudentBundle}: detector parameters prefixed {@value StudentBundle#DETECTOR_PREFIX},
 * plus the adapters, which are ignored here).
 */
public final class StudentWeights {

    private StudentWeights() {}

    /**
     * @param detector the plain detector (same architecture as the checkpoint's student)
     * @param path a checkpoint folder or a {@code .safetensors} file
     * @throws IOException if reading fails or the detector's parameters are not all there
     */
    public static void load(Block detector, Path path) throws IOException {
        Path file = Files.isDirectory(path) ? path.resolve("student.safetensors") : path;
        NDManager owner = detector.getParameters().get(0).getValue().getArray().getManager();
        try (NDManager tmp = owner.newSubManager();
                InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
            Map<String, NDArray> byName = new HashMap<>();
            boolean bundled = false;
            NDList all = NDList.decode(tmp, in);
            for (NDArray a : all) {
                bundled |= a.getName().startsWith(StudentBundle.DETECTOR_PREFIX);
            }
            if (!bundled) {
                try (InputStream again = new BufferedInputStream(Files.newInputStream(file))) {
                    CheckpointStore.loadWeights(detector, again);
                }
                return;
            }
            for (NDArray a : all) {
                if (a.getName().startsWith(StudentBundle.DETECTOR_PREFIX)) {
                    byName.put(a.getName().substring(StudentBundle.DETECTOR_PREFIX.length()), a);
                }
            }
            for (Pair<String, Parameter> p : detector.getParameters()) {
                NDArray src = byName.get(p.getKey());
                NDArray target = p.getValue().getArray();
                if (src == null || !src.getShape().equals(target.getShape())) {
                    throw new IOException(file + ": no weights of shape " + target.getShape() + " for detector "
                            + "parameter " + p.getKey());
                }
                target.set(src.toType(target.getDataType(), false).toByteBuffer());
            }
        } catch (IOException e) {
            throw e.getMessage() != null && e.getMessage().startsWith(file.toString()) ? e
                    : new IOException(file + ": " + e.getMessage(), e);
        }
    }
}
