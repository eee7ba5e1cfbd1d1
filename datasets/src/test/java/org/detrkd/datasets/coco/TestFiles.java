package org.detrkd.datasets.coco;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Test helpers: the shared reference folder and temporary folders. */
public final class TestFiles {
    private TestFiles() {}

    /** The shared folder given by the {@code detrkd.shared} system property (set by surefire). */
    public static Path shared() {
        String dir = System.getProperty("detrkd.shared");
        if (dir == null || !Files.isDirectory(Path.of(dir))) {
            throw new IllegalStateException("system property detrkd.shared must name the shared reference folder"
                    + " (surefire sets it to ../shared); found " + dir);
        }
        return Path.of(dir);
    }

    /** Deletes a folder and everything in it; a missing folder is fine. */
    public static void deleteTree(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
