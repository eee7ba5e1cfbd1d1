package org.detrkd.detr.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Checkpoints of one run in a folder, one sub-folder per checkpoint, {@code step-<12 digits>/} holding
 * {@code student.safetensors} (every student parameter by hierarchical name, running statistics included),
 * {@code optimizer.safetensors} (AdamW moments) and {@code state.json} ({@link CheckpointState}).
 *
 * <p>Writes are atomic: files go to a hidden temporary folder, are fsynced, and the folder is renamed into place
 * (then the parent folder is fsynced), so a crash leaves either a complete checkpoint or none; a checkpoint that is
 * replaced or pruned is renamed to a temporary name before it is deleted; leftover temporary folders are removed on
 * the next start. Weights are restored by copying into the existing parameter arrays, so
 * parameter identities, gradient attachment and parameter stores stay valid.
 */
public final class CheckpointStore {

    private static final Logger LOG = LoggerFactory.getLogger(CheckpointStore.class);
    private static final Pattern NAME = Pattern.compile("step-(\\d{12})");
    static final String STUDENT = "student.safetensors";
    static final String OPTIMIZER = "optimizer.safetensors";
    static final String STATE = "state.json";

    private final Path root;
    private final int keepLast;
    private final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * @param root the run's checkpoint folder (created if missing)
     * @param keepLast how many checkpoints to keep, oldest removed first ({@code <= 0}: keep all)
     * @throws IOException if the folder cannot be created or cleaned
     */
    public CheckpointStore(Path root, int keepLast) throws IOException {
        this.root = root;
        this.keepLast = keepLast;
        Files.createDirectories(root);
        try (Stream<Path> s = Files.list(root)) {
            for (Path p : s.filter(p -> p.getFileName().toString().startsWith(".tmp-")).toList()) {
                deleteTree(p);
            }
        }
    }

    /**
     * @return the folder holding the checkpoints
     */
    public Path root() {
        return root;
    }

    /**
     * Writes a checkpoint atomically and prunes old ones.
     *
     * @param state where the run is
     * @param student the student block
     * @param optimizer its optimizer
     * @return the checkpoint folder
     * @throws IOException if writing fails (no partial checkpoint is left behind)
     */
    public Path save(CheckpointState state, Block student, AdamW optimizer) throws IOException {
        String name = String.format(Locale.ROOT, "step-%012d", state.step());
        Path target = root.resolve(name);
        Path tmp = Files.createTempDirectory(root, ".tmp-" + name + "-");
        try {
            try (OutputStream out = Files.newOutputStream(tmp.resolve(STUDENT))) {
                saveWeights(student, out);
            }
            try (OutputStream out = Files.newOutputStream(tmp.resolve(OPTIMIZER))) {
                optimizer.saveState(out);
            }
            Files.write(tmp.resolve(STATE), json.writeValueAsBytes(state));
            for (String f : List.of(STUDENT, OPTIMIZER, STATE)) {
                fsync(tmp.resolve(f), false);
            }
            if (Files.exists(target)) {
                discard(target);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target);
            }
            fsync(root, true);
        } catch (IOException | RuntimeException e) {
            deleteTree(tmp);
            throw e;
        }
        prune();
        return target;
    }

    /**
     * @return every complete checkpoint folder, oldest first
     * @throws IOException if the folder cannot be listed
     */
    public List<Path> list() throws IOException {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(root)) {
            s.filter(p -> NAME.matcher(p.getFileName().toString()).matches())
                    .filter(p -> Files.isRegularFile(p.resolve(STATE)))
                    .sorted(Comparator.comparing(p -> p.getFileName().toString()))
                    .forEach(out::add);
        }
        return out;
    }

    /**
     * @return the most recent complete checkpoint, if any
     * @throws IOException if the folder cannot be listed
     */
    public Optional<Path> latest() throws IOException {
        List<Path> all = list();
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    /**
     * @param checkpoint a checkpoint folder
     * @return its state
     * @throws IOException if the JSON cannot be read
     */
    public CheckpointState readState(Path checkpoint) throws IOException {
        return json.readValue(checkpoint.resolve(STATE).toFile(), CheckpointState.class);
    }

    /**
     * Restores student weights and optimizer state from a checkpoint.
     *
     * @param checkpoint the folder
     * @param student the student block (same architecture)
     * @param optimizer the optimizer over its trainable parameters
     * @return the checkpoint's state
     * @throws IOException if a file is missing or does not match the block
     */
    public CheckpointState restore(Path checkpoint, Block student, AdamW optimizer) throws IOException {
        CheckpointState state = readState(checkpoint);
        try (InputStream in = new BufferedInputStream(Files.newInputStream(checkpoint.resolve(STUDENT)))) {
            loadWeights(student, in);
        } catch (IOException e) {
            throw new IOException(checkpoint.resolve(STUDENT) + ": " + e.getMessage(), e);
        }
        try (InputStream in = new BufferedInputStream(Files.newInputStream(checkpoint.resolve(OPTIMIZER)))) {
            optimizer.loadState(in, state.optimizerSteps());
        } catch (IOException e) {
            throw new IOException(checkpoint.resolve(OPTIMIZER) + ": " + e.getMessage(), e);
        }
        return state;
    }

    /**
     * Writes every parameter of a block as named safetensors (readable by Python's {@code safetensors}).
     *
     * @param block an initialised block
     * @param out the stream
     * @throws IOException if writing fails
     */
    public static void saveWeights(Block block, OutputStream out) throws IOException {
        NDList list = new NDList();
        List<String> oldNames = new ArrayList<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            NDArray a = p.getValue().getArray();
            oldNames.add(a.getName());
            a.setName(p.getKey());
            list.add(a);
        }
        try {
            list.encode(out, NDList.Encoding.SAFETENSORS);
        } finally {
            for (int i = 0; i < list.size(); i++) {
                list.get(i).setName(oldNames.get(i));
            }
        }
    }

    /**
     * Copies named weights written by {@link #saveWeights} into a block's existing parameter arrays; names, shapes
     * and types must match exactly.
     *
     * @param block the block
     * @param in the stream
     * @throws IOException if reading fails or the weights do not match
     */
    public static void loadWeights(Block block, InputStream in) throws IOException {
        NDManager owner = block.getParameters().get(0).getValue().getArray().getManager();
        try (NDManager tmp = owner.newSubManager()) {
            Map<String, NDArray> byName = new HashMap<>();
            for (NDArray a : NDList.decode(tmp, in)) {
                byName.put(a.getName(), a);
            }
            if (byName.size() != block.getParameters().size()) {
                throw new IOException("has " + byName.size() + " arrays, the block has "
                        + block.getParameters().size() + " parameters");
            }
            for (Pair<String, Parameter> p : block.getParameters()) {
                NDArray target = p.getValue().getArray();
                target.set(AdamW.checked(byName, p.getKey(), target).toByteBuffer());
            }
        }
    }

    /**
     * Loads the student weights of a checkpoint folder (or a {@code .safetensors} file written by
     * {@link #saveWeights}) into a block, e.g. a trained teacher for distillation or a model to evaluate.
     *
     * @param block the block (same architecture)
     * @param path a checkpoint folder or a weights file
     * @throws IOException if reading fails or the weights do not match, with the file in the message
     */
    public static void loadWeights(Block block, Path path) throws IOException {
        Path file = Files.isDirectory(path) ? path.resolve(STUDENT) : path;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
            loadWeights(block, in);
        } catch (IOException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    private void prune() throws IOException {
        if (keepLast <= 0) {
            return;
        }
        List<Path> all = list();
        for (int i = 0; i < all.size() - keepLast; i++) {
            discard(all.get(i));
            LOG.debug("removed old checkpoint {}", all.get(i));
        }
    }

    private static void fsync(Path path, boolean directory) {
        try (FileChannel ch = FileChannel.open(path, directory ? StandardOpenOption.READ : StandardOpenOption.WRITE)) {
            ch.force(true);
        } catch (IOException e) {
            LOG.debug("fsync of {} not possible: {}", path, e.toString());
        }
    }

    /**
     * Removes a checkpoint folder: renamed to a temporary name first (atomic), then deleted, so a crash in the middle
     * never leaves a half-deleted folder that {@link #list} would take for a checkpoint (its {@code state.json}
     * without its weights); the next start removes the renamed leftover.
     */
    private void discard(Path checkpoint) throws IOException {
        Path aside = root.resolve(".tmp-discard-" + checkpoint.getFileName() + "-" + System.nanoTime());
        try {
            Files.move(checkpoint, aside, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            aside = checkpoint;
        }
        deleteTree(aside);
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
