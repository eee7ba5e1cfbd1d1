package org.detrkd.suites.cli;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.detrkd.cli.Detrkd;
import org.testng.annotations.Test;
import picocli.CommandLine;

/** {@code detrkd slurm}: the array job script's content, its shell syntax, and bad settings. */
public class SlurmCommandTest {
    static Result cli(String... args) {
        CommandLine cli = Detrkd.commandLine();
        if (!cli.getSubcommands().containsKey("slurm")) {
            cli.addSubcommand(new SlurmCommand());
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return new Result(cli.execute(args), out.toString(), err.toString());
    }

    record Result(int code, String out, String err) {
    }

    @Test
    public void shardedScriptRunsEveryShardIntoTheSharedFolder() throws Exception {
        Path out = Files.createTempDirectory("detrkd-slurm").resolve("shared out");
        Result r = cli("slurm", "table4", "--out", out.toString(), "--scale", "mini", "--shards", "4",
                "--partition", "cpu", "--time", "12:00:00", "--cpus", "8", "--workdir", "/opt/detrkd");
        assertEquals(r.code(), 0, r.err());
        Path script = out.resolve("slurm/table4-mini.sbatch");
        assertTrue(r.out().contains("submit with: sbatch " + script), r.out());
        List<String> lines = Files.readAllLines(script);
        assertEquals(lines.get(0), "#!/bin/bash");
        assertEquals(lines.get(1), "# detrkd suite table4 at mini scale: 25 cells in 4 array tasks.");
        assertTrue(lines.containsAll(List.of("#SBATCH --job-name=detrkd-table4-mini", "#SBATCH --array=0-3",
                "#SBATCH --cpus-per-task=8", "#SBATCH --time=12:00:00", "#SBATCH --partition=cpu",
                "#SBATCH --output='" + out.resolve("slurm") + "/%x-%A_%a.log'", "set -euo pipefail",
                "cd '/opt/detrkd'", "export DETRKD_THREADS=8")), String.join("\n", lines));
        assertEquals(lines.get(lines.size() - 1), "exec ./detrkd run 'table4' --scale mini --out '" + out
                + "' --threads 8 --shard \"${SLURM_ARRAY_TASK_ID}/4\"");
        assertTrue(Files.isExecutable(script));
        bashAccepts(script);
    }

    @Test
    public void withoutShardsEachCellIsATask() throws Exception {
        Path out = Files.createTempDirectory("detrkd-slurm");
        Result r = cli("slurm", "table1", "--out", out.toString(), "--scale", "smoke");
        assertEquals(r.code(), 0, r.err());
        String text = Files.readString(out.resolve("slurm/table1-smoke.sbatch"));
        assertTrue(text.contains("# detrkd suite table1 at smoke scale: 18 cells in 18 array tasks (one cell each)."),
                text);
        assertTrue(text.contains("#SBATCH --array=0-17\n"), text);
        assertTrue(text.contains("--shard \"${SLURM_ARRAY_TASK_ID}/18\"\n"), text);
        assertTrue(!text.contains("--partition"), "no partition line without --partition");
    }

    @Test
    public void badSettingsAreRefusedWithExit2() throws Exception {
        Path out = Files.createTempDirectory("detrkd-slurm");
        Result time = cli("slurm", "table4", "--out", out.toString(), "--time", "90 minutes");
        assertEquals(time.code(), 2);
        assertTrue(time.err().contains("--time: expected HH:MM:SS or D-HH:MM:SS, got '90 minutes'"), time.err());
        Result shards = cli("slurm", "table4", "--out", out.toString(), "--scale", "smoke", "--shards", "99");
        assertEquals(shards.code(), 2);
        assertTrue(shards.err().contains("--shards: must be between 1 and the 9 cells, got 99"), shards.err());
        assertTrue(!Files.exists(out.resolve("slurm/table4-mini.sbatch")));
    }

    @Test
    public void aLauncherReplacesTheCheckoutsDetrkd() throws Exception {
        Path dir = Files.createTempDirectory("detrkd-slurm");
        Path launcher = dir.resolve("my detrkd");
        Files.writeString(launcher, "#!/bin/sh\nexec java -jar /opt/detrkd.jar \"$@\"\n");
        Path out = dir.resolve("out");
        Result missing = cli("slurm", "table5", "--out", out.toString(), "--scale", "smoke", "--launcher",
                launcher.toString());
        assertEquals(missing.code(), 2);
        assertTrue(missing.err().contains("--launcher: not an executable file: " + launcher), missing.err());
        assertTrue(launcher.toFile().setExecutable(true));
        Result r = cli("slurm", "table5", "--out", out.toString(), "--scale", "smoke", "--launcher",
                launcher.toString());
        assertEquals(r.code(), 0, r.err());
        Path script = out.resolve("slurm/table5-smoke.sbatch");
        List<String> lines = Files.readAllLines(script);
        assertEquals(lines.get(lines.size() - 1), "exec '" + launcher + "' run 'table5' --scale smoke --out '" + out
                + "' --threads 4 --shard \"${SLURM_ARRAY_TASK_ID}/6\"");
        bashAccepts(script);
    }

    // The script submitted to a real Slurm (slurmctld + slurmd on this machine): org.detrkd.suites.run.SlurmClusterTest

    private static void bashAccepts(Path script) throws Exception {
        Process p = new ProcessBuilder("bash", "-n", script.toString()).redirectErrorStream(true).start();
        assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        assertEquals(p.exitValue(), 0, new String(p.getInputStream().readAllBytes()));
    }
}
