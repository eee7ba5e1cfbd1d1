package org.detrkd.reports.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds every {@code result.json} under one or more folders (recursively) and reads them strictly.
 *
 * <p>Results of several shards or machines merge by listing their folders. Two files for the same suite, scale,
 * cell id and seed: the one with the newest {@code finished_at} is kept (ties: the later path) and a warning is logged.
 * The answer is sorted by suite, scale, cell id, seed, so reports do not depend on the file system's order.
 */
public final class ResultLoader {
    /** The file name of a cell's result. */
    public static final String FILE_NAME = "result.json";

    private static final Logger LOG = LoggerFactory.getLogger(ResultLoader.class);

    private ResultLoader() {
    }

    /** Loads all results under {@code roots} (folders, or single result files). */
    public static List<LoadedResult> load(List<Path> roots) {
        Map<String, LoadedResult> byKey = new LinkedHashMap<>();
        for (Path root : roots) {
            for (Path file : find(root)) {
                LoadedResult loaded = new LoadedResult(file, ResultJson.read(file));
                byKey.merge(loaded.key(), loaded, ResultLoader::newer);
            }
        }
        List<LoadedResult> all = new ArrayList<>(byKey.values());
        all.sort(ORDER);
        return all;
    }

    /** The sort order of loaded results: suite, scale, cell id, seed, then file. */
    public static final Comparator<LoadedResult> ORDER = Comparator
            .comparing((LoadedResult l) -> l.record().suite())
            .thenComparing(l -> l.record().scale())
            .thenComparing(l -> l.record().cellId())
            .thenComparingLong(l -> l.record().seed())
            .thenComparing(l -> l.file().toString());

    private static LoadedResult newer(LoadedResult a, LoadedResult b) {
        Instant ta = Instant.parse(a.record().finishedAt());
        Instant tb = Instant.parse(b.record().finishedAt());
        int c = ta.compareTo(tb);
        if (c == 0) {
            c = a.file().toString().compareTo(b.file().toString());
        }
        LoadedResult keep = c > 0 ? a : b;
        LoadedResult drop = c > 0 ? b : a;
        LOG.warn("duplicate result for suite {} cell {} seed {}: keeping {} ({}), ignoring {} ({})",
                keep.record().suite(), keep.record().cellId(), keep.record().seed(), keep.file(),
                keep.record().finishedAt(), drop.file(), drop.record().finishedAt());
        return keep;
    }

    private static List<Path> find(Path root) {
        if (!Files.exists(root)) {
            throw new ReportInputException(root, null, "no such file or folder");
        }
        if (Files.isRegularFile(root)) {
            return List.of(root);
        }
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> p.getFileName().toString().equals(FILE_NAME) && Files.isRegularFile(p))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root, e);
        }
    }
}
