package org.detrkd.suites.run;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.detrkd.reports.model.EpochRecord;
import org.detrkd.reports.model.LoadedResult;
import org.detrkd.reports.model.ResultLoader;
import org.detrkd.reports.model.ResultRecord;
import org.detrkd.reports.model.Scale;
import org.detrkd.reports.model.Status;
import org.detrkd.suites.spec.Cell;
import org.detrkd.suites.spec.SuiteCatalog;
import org.detrkd.suites.spec.SuiteExpander;
import org.testng.SkipException;
import org.testng.annotations.Test;

/**
 * The script of {@code detrkd slurm} submitted to a real Slurm: a one-node cluster started by the test
 * ({@link LocalSlurm}: munged, slurmctld and slurmd from Debian's packages) runs the array job of a 3-cell smoke suite
 * in 2 shards; every cell's {@code result.json} is written by the task whose shard holds it, with finite losses, and
 * {@code detrkd report} over the shared folder reads exactly those results. Skipped, saying why, where Slurm is not
 * installed (or the tests do not run as root).
 */
public class SlurmClusterTest {
    private static final Duration START = Duration.ofSeconds(60);
    private static final Duration JOB = Duration.ofMinutes(5);

    @Test
    public void theArrayJobRunsEveryShardOnARealSlurm() throws Exception {
        String why = LocalSlurm.unavailable();
        if (why != null) {
            throw new SkipException(why);
        }
        Path root = Files.createTempDirectory("detrkd-slurm-cluster");
        Path suite = RunFixtures.write(root, "sl", "1.0e-4", 1);
        Path out = root.resolve("shared out"); // a space, as on real clusters' project folders
        Path launcher = launcher(root);
        int shards = 2;
        RunFixtures.Outcome w = RunFixtures.cli("slurm", suite.toString(), "--scale", "smoke", "--out",
                out.toString(), "--shards", String.valueOf(shards), "--cpus", "1", "--time", "00:10:00",
                "--partition", LocalSlurm.PARTITION, "--workdir", root.toString(), "--launcher", launcher.toString());
        assertEquals(w.code(), 0, w.out() + w.err());
        Path script = out.resolve("slurm/sl-smoke.sbatch");
        assertTrue(Files.readString(script).contains("exec '" + launcher + "' run "), Files.readString(script));

        long t0 = System.nanoTime();
        double jobSeconds;
        String jobId;
        Map<Integer, String> tasks;
        try (LocalSlurm slurm = LocalSlurm.start(START)) {
            long t1 = System.nanoTime();
            jobId = slurm.submit(script, root);
            slurm.await(jobId, JOB);
            jobSeconds = (System.nanoTime() - t1) / 1e9;
            tasks = slurm.tasks(jobId);
            String logs = taskLogs(out) + slurm.logs();
            Map<Integer, String> ok = new TreeMap<>();
            for (int i = 0; i < shards; i++) {
                ok.put(i, "COMPLETED 0:0");
            }
            assertEquals(new TreeMap<>(tasks), ok, "array tasks of job " + jobId + "\n" + logs);
        }
        System.out.printf(Locale.ROOT, "SlurmClusterTest: cluster up and %d-task array job done in %.1f s "
                + "(job alone %.1f s)%n", shards, (System.nanoTime() - t0) / 1e9, jobSeconds);

        // every cell of the suite, each run by the task whose shard holds it (the task's log lists it)
        List<Cell> cells = SuiteExpander.expand(SuiteCatalog.resolve(suite.toString()), Scale.SMOKE);
        assertEquals(cells.size(), 3);
        for (int i = 0; i < shards; i++) {
            Path log = out.resolve("slurm/detrkd-sl-smoke-" + jobId + "_" + i + ".log");
            assertTrue(Files.exists(log), "task " + i + " log " + log + "\n" + taskLogs(out));
            String text = Files.readString(log);
            List<Cell> mine = CellSelection.shard(cells, new CellSelection.Shard(i, shards));
            assertTrue(text.contains(mine.size() + " of 3 cells into " + out), text);
            for (Cell c : mine) {
                assertTrue(text.lines().anyMatch(l -> l.startsWith(c.runId() + " ") && l.contains(" finished ")),
                        "task " + i + " finished " + c.runId() + "\n" + text);
            }
        }
        for (Cell c : cells) {
            Path result = out.resolve("cells").resolve(c.runId()).resolve("result.json");
            assertTrue(Files.isRegularFile(result), result + " missing\n" + taskLogs(out));
        }
        try (Stream<Path> t = Files.list(out.resolve("teachers"))) {
            assertEquals(t.filter(Files::isDirectory).count(), 1L, "one teacher, shared by the shards");
        }

        // the reports' reader sees those results: finished, finite losses, one thread each
        List<LoadedResult> loaded = ResultLoader.load(List.of(out));
        assertEquals(loaded.size(), cells.size());
        Map<String, Double> ap = new TreeMap<>();
        for (LoadedResult l : loaded) {
            ResultRecord r = l.record();
            assertEquals(r.status(), Status.FINISHED, r.cellId());
            assertEquals(r.environment().threads(), 1);
            assertTrue(!r.history().isEmpty(), r.cellId());
            for (EpochRecord e : r.history()) {
                assertTrue(e.loss().containsKey("loss_ce"), e.loss().toString());
                e.loss().values().forEach(v -> assertTrue(Double.isFinite(v), r.cellId() + " " + e.loss()));
            }
            assertTrue(Double.isFinite(r.metrics().ap()), r.cellId());
            ap.put(r.cellId() + ".seed" + r.seed(), r.metrics().ap());
        }
        assertEquals(ap.keySet(), cells.stream().map(Cell::runId).collect(Collectors.toSet()));

        // and detrkd report over the shared folder merges the shards into one table with those numbers
        Path site = root.resolve("site");
        RunFixtures.Outcome rep = RunFixtures.cli("report", out.toString(), "--out", site.toString());
        assertEquals(rep.code(), 0, rep.out() + rep.err());
        assertTrue(Files.isRegularFile(site.resolve("index.html")));
        Map<String, Double> reported = new TreeMap<>();
        Set<String> statuses = new HashSet<>();
        try (var reader = Files.newBufferedReader(site.resolve("results.csv"), StandardCharsets.UTF_8)) {
            for (CSVRecord rec : CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).build()
                    .parse(reader)) {
                statuses.add(rec.get("status"));
                if (rec.get("metric").equals("AP")) {
                    reported.put(rec.get("cell_id") + ".seed" + rec.get("seed"), Double.parseDouble(rec.get("value")));
                }
            }
        }
        assertEquals(statuses, Set.of("finished"));
        assertEquals(reported.keySet(), ap.keySet());
        reported.forEach((k, v) -> assertEquals(v, ap.get(k), 1e-9, k));
    }

    /**
     * The launcher the tasks run: the project's CLI ({@code org.detrkd.cli.Detrkd}) on this test's class path, as
     * {@code ./detrkd} runs it from the jar (which {@code verify} builds only after the tests).
     */
    private static Path launcher(Path root) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path cp = root.resolve("classpath.txt");
        Files.writeString(cp, System.getProperty("java.class.path"));
        Path f = root.resolve("detrkd-under-test");
        Files.writeString(f, String.join("\n",
                "#!/usr/bin/env bash",
                "# detrkd from the test class path (written by SlurmClusterTest)",
                "export PYTORCH_FLAVOR=cpu",
                "exec " + quote(java) + " -Xmx2g -Dai.djl.offline=true"
                        + " -Dai.djl.pytorch.num_threads=\"${DETRKD_THREADS:-1}\" -Dai.djl.pytorch.num_interop_threads=1"
                        + " -cp \"$(cat " + quote(cp) + ")\" org.detrkd.cli.Detrkd \"$@\"",
                ""));
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"));
        return f;
    }

    private static String taskLogs(Path out) {
        StringBuilder sb = new StringBuilder();
        try (Stream<Path> s = Files.list(out.resolve("slurm"))) {
            for (Path p : new TreeSet<>(s.filter(p -> p.toString().endsWith(".log")).toList())) {
                List<String> lines = new ArrayList<>(Files.readAllLines(p));
                sb.append("--- ").append(p).append('\n').append(String.join("\n",
                        lines.subList(Math.max(0, lines.size() - 30), lines.size()))).append('\n');
            }
        } catch (Exception e) {
            sb.append("(no task logs: ").append(e).append(")\n");
        }
        return sb.toString();
    }

    private static String quote(Object o) {
        return "'" + o.toString().replace("'", "'\\''") + "'";
    }
}
