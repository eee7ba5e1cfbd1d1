package org.detrkd.suites.run;

import java.nio.file.Path;
import java.util.List;

/**
 * The settings of one {@code detrkd run} invocation that are not part of any cell's spec.
 *
 * @param out the suite output folder ({@code cells/}, {@code teachers/})
 * @param dataRoot the folder relative dataset paths resolve against
 * @param threads intra-op threads (recorded in every result)
 * @param devices device names recorded in results ({@code cpu()})
 * @param progress terminal progress
 * @param stopAfterSteps end the invocation as if killed once the model in training completes this many steps
 *     (0: never); for tests of resumption
 */
record RunContext(Path out, Path dataRoot, int threads, List<String> devices, Progress progress,
        long stopAfterSteps) {
}
