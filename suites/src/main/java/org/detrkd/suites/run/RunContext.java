package org.detrkd.suites.run;

import ai.djl.Device;
import java.nio.file.Path;
import java.util.List;

/**
 * The settings of one {@code detrkd run} invocation that are not part of any cell's spec.
 *
 * @param out the suite output folder ({@code cells/}, {@code teachers/})
 * @param dataRoot the folder relative dataset paths resolve against
 * @param threads intra-op threads (recorded in every result)
 * @param devices the devices every model trains on, primary first ({@code [cpu()]}, or the GPUs of
 *     {@code --devices N}: data-parallel when several); their names are recorded in results
 * @param progress terminal progress
 * @param stopAfterSteps end the invocation as if killed once the model in training completes this many steps
 *     (0: never); for tests of resumption
 */
record RunContext(Path out, Path dataRoot, int threads, List<Device> devices, Progress progress,
        long stopAfterSteps) {
}
