package org.detrkd.suites.run;

import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Pattern;
import org.detrkd.datasets.io.InputException;

/**
 * A Slurm array job script for a suite: task {@code I} of {@code N} runs
 * {@code ./detrkd run SUITE --shard I/N} (or another launcher's) into the shared output folder, so the tasks together
 * run every cell once
 * ({@link CellSelection#shard}); teachers are shared through {@code OUT/teachers/} (a task training one holds its
 * lock; tasks needing it wait). With one task per cell, {@code N} is the number of cells and each shard holds one
 * cell. The results merge by pointing the report at {@code OUT}.
 *
 * @param suite suite name or file (as given to {@code detrkd run})
 * @param suiteId the suite's id (job name)
 * @param scale scale id
 * @param out the shared output folder (absolute)
 * @param workdir the detrkd checkout the tasks run in (absolute)
 * @param tasks N, the array size
 * @param cells number of cells of the suite at that scale (for the comment)
 * @param partition Slurm partition, or null for the cluster's default
 * @param time wall time limit per task, {@code HH:MM:SS} or {@code D-HH:MM:SS}
 * @param cpus CPUs per task (also the runner's threads)
 * @param launcher the executable the tasks run with detrkd's arguments (absolute), or null for {@code ./detrkd} in
 *     {@code workdir}
 */
public record SlurmScript(String suite, String suiteId, String scale, Path out, Path workdir, int tasks, int cells,
        String partition, String time, int cpus, Path launcher) {
    /** The launcher the tasks run when none is given: the checkout's own, which builds the project if needed. */
    public static final String DEFAULT_LAUNCHER = "./detrkd";

    private static final Pattern TIME = Pattern.compile("(\\d+-)?\\d{1,3}:\\d{2}:\\d{2}");

    /** Checks the settings. */
    public SlurmScript {
        if (!TIME.matcher(time).matches()) {
            throw new InputException((String) null, "--time", "expected HH:MM:SS or D-HH:MM:SS, got '" + time + "'",
                    null);
        }
        if (cpus < 1) {
            throw new InputException((String) null, "--cpus", "must be at least 1, got " + cpus, null);
        }
        if (tasks < 1) {
            throw new InputException((String) null, "--shards", "must be at least 1, got " + tasks, null);
        }
        if (partition != null && !partition.matches("[A-Za-z0-9_.,-]+")) {
            throw new InputException((String) null, "--partition", "not a partition name: '" + partition + "'", null);
        }
    }

    /** The script text. */
    public String text() {
        StringBuilder sb = new StringBuilder("#!/bin/bash\n");
        sb.append(String.format(Locale.ROOT, "# detrkd suite %s at %s scale: %d cells in %d array tasks%s.%n", suiteId,
                scale, cells, tasks, tasks == cells ? " (one cell each)" : ""));
        sb.append("# Every task writes into the shared folder below (cells/<runId>/result.json, teachers cached in\n");
        sb.append("# teachers/<hash>/); rerunning a task resumes it. Merge: ./detrkd report ").append(quote(out))
                .append('\n');
        sb.append("#SBATCH --job-name=detrkd-").append(suiteId).append('-').append(scale).append('\n');
        sb.append("#SBATCH --array=0-").append(tasks - 1).append('\n');
        sb.append("#SBATCH --ntasks=1\n");
        sb.append("#SBATCH --cpus-per-task=").append(cpus).append('\n');
        sb.append("#SBATCH --time=").append(time).append('\n');
        if (partition != null) {
            sb.append("#SBATCH --partition=").append(partition).append('\n');
        }
        // quoted: sbatch splits an #SBATCH line at spaces outside quotes ("Invalid directive" otherwise)
        sb.append("#SBATCH --output=").append(quote(out.resolve("slurm") + "/%x-%A_%a.log")).append('\n');
        sb.append("set -euo pipefail\n");
        sb.append("cd ").append(quote(workdir)).append('\n');
        sb.append("export DETRKD_THREADS=").append(cpus).append('\n');
        sb.append("exec ").append(launcher == null ? DEFAULT_LAUNCHER : quote(launcher)).append(" run ")
                .append(quote(suite)).append(" --scale ").append(scale).append(" --out ").append(quote(out))
                .append(" --threads ").append(cpus).append(" --shard \"${SLURM_ARRAY_TASK_ID}/").append(tasks)
                .append("\"\n");
        return sb.toString();
    }

    private static String quote(Object o) {
        return "'" + o.toString().replace("'", "'\\''") + "'";
    }
}
