package org.detrkd.datasets.generate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.detrkd.datasets.coco.CocoAnnotation;
import org.detrkd.datasets.coco.CocoDataset;
import org.detrkd.datasets.coco.CocoFolder;
import org.detrkd.datasets.coco.CocoImage;
import org.detrkd.datasets.coco.CocoJsonWriter;
import org.detrkd.datasets.io.InputException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a generated benchmark as a {@link CocoFolder}: {@code train/} and {@code val/} PNGs, their instances
 * files and {@code dataset.json}.
 *
 * <p>Safe to re-run: a folder already holding the same dataset (same {@code dataset.json} header) is left as it
 * is; any other non-empty folder is refused, never overwritten. Everything is written into a hidden temporary
 * folder beside the target and renamed at the end, so a killed run leaves no half-written dataset (an interrupted
 * run removes its hidden {@code .NAME.partial-*} folder; only a hard kill leaves it behind). Images are drawn in parallel, but every image depends only on its own
 * random stream and annotation ids are assigned in image order afterwards, so the bytes do not depend on the
 * thread count.
 */
public final class DatasetMaker {
    private static final Logger LOG = LoggerFactory.getLogger(DatasetMaker.class);

    /**
     * What a call did.
     *
     * @param folder the dataset folder
     * @param alreadyPresent true when the folder already held this dataset and nothing was written
     * @param splits counts per split, {@code train} then {@code val}
     * @param seconds wall time
     */
    public record Result(Path folder, boolean alreadyPresent, Map<String, SplitStats> splits, double seconds) {}

    private DatasetMaker() {}

    /**
     * Makes the dataset of {@code generator} in {@code out} with {@code threads} worker threads.
     *
     * @throws InputException when {@code out} is a file or a non-empty folder holding something else
     */
    public static Result make(SceneGenerator generator, Path out, int threads) throws IOException {
        if (threads < 1) {
            throw new InputException((String) null, "", "--threads must be at least 1, got " + threads, null);
        }
        Path target = out.toAbsolutePath().normalize();
        ObjectNode header = DatasetMetadata.header(generator);
        long start = System.nanoTime();
        if (holdsSameDataset(target, header)) {
            JsonNode existing = DatasetMetadata.read(new CocoFolder(target).metadataFile());
            return new Result(target, true, DatasetMetadata.splits(existing), 0);
        }
        Path parent = target.getParent();
        Files.createDirectories(parent);
        Path tmp = Files.createTempDirectory(parent, "." + target.getFileName() + ".partial-");
        openPermissions(tmp);
        Thread cleanup = new Thread(() -> deleteQuietly(tmp), "detrkd-generate-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup); // Ctrl-C: remove the partial folder
        try {
            CocoFolder folder = new CocoFolder(tmp);
            Map<String, SplitStats> stats = new LinkedHashMap<>();
            for (String split : CocoFolder.SPLITS) {
                stats.put(split, writeSplit(generator, folder, split, threads));
            }
            DatasetMetadata.write(folder.metadataFile(), header, generator.categories(), stats);
            if (Files.isDirectory(target)) {
                Files.delete(target); // empty: checked above
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            return new Result(target, false, stats, (System.nanoTime() - start) / 1e9);
        } finally {
            deleteTree(tmp);
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException e) {
                // the JVM is already shutting down; the hook does the cleanup
            }
        }
    }

    /** Temporary folders are private by default; the dataset should be as readable as any other folder. */
    private static void openPermissions(Path dir) throws IOException {
        try {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: keep its defaults
        }
    }

    private static void deleteQuietly(Path dir) {
        try {
            deleteTree(dir);
        } catch (IOException | RuntimeException e) {
            LOG.warn("could not remove the partial dataset folder {}: {}", dir, e.toString());
        }
    }

    /**
     * True when {@code target} already holds the dataset with this header; false when it is absent or an empty
     * folder.
     *
     * @throws InputException for anything else
     */
    static boolean holdsSameDataset(Path target, ObjectNode header) throws IOException {
        if (!Files.exists(target)) {
            return false;
        }
        if (!Files.isDirectory(target)) {
            throw new InputException(target, "", "--out exists and is not a folder; refusing to overwrite it");
        }
        try (Stream<Path> entries = Files.list(target)) {
            if (entries.findAny().isEmpty()) {
                return false;
            }
        }
        JsonNode existing = DatasetMetadata.read(new CocoFolder(target).metadataFile());
        if (existing == null || !existing.has("generator_version")) {
            throw new InputException(target, "", "folder is not empty and is not a dataset made by 'detrkd data"
                    + " make'; refusing to overwrite it (choose another --out or empty it)");
        }
        String diff = DatasetMetadata.firstDifference(existing, header);
        if (diff != null) {
            throw new InputException(target, "", "holds a generated dataset with a different '" + diff
                    + "'; refusing to overwrite it (choose another --out or delete it)");
        }
        return true;
    }

    private static SplitStats writeSplit(SceneGenerator generator, CocoFolder folder, String split, int threads)
            throws IOException {
        int n = generator.spec().size(split);
        Path imageDir = folder.imageDir(split);
        Files.createDirectories(imageDir);
        List<List<GeneratedBox>> boxes = new ParallelRenderer(generator, split, imageDir, threads).run(n);
        List<CocoImage> images = new ArrayList<>(n);
        List<CocoAnnotation> annotations = new ArrayList<>();
        int size = generator.spec().imageSize();
        long annotationId = 1;
        for (int i = 0; i < n; i++) {
            long imageId = i + 1L;
            images.add(new CocoImage(imageId, fileName(i), size, size));
            for (GeneratedBox b : boxes.get(i)) {
                annotations.add(new CocoAnnotation(annotationId++, imageId, b.categoryId(),
                        b.x(), b.y(), b.w(), b.h(), b.area(), false));
            }
        }
        CocoJsonWriter.write(new CocoDataset(images, generator.categories(), annotations),
                folder.annotationFile(split));
        return SplitStats.of(boxes);
    }

    /** The file name of image {@code index} (0-based) of a split: its 1-based id, zero-padded. */
    static String fileName(int index) {
        return String.format(java.util.Locale.ROOT, "%08d.png", index + 1);
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    static Logger log() {
        return LOG;
    }
}
