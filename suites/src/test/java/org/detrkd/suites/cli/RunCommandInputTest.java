package org.detrkd.suites.cli;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.detrkd.cli.Detrkd;
import org.testng.annotations.Test;
import picocli.CommandLine;

/** Bad input to {@code detrkd run}: one line on stderr, exit 2, nothing started (no output folder). */
public class RunCommandInputTest {
    private static String[] result(Path out, String... args) {
        CommandLine cli = Detrkd.commandLine();
        if (!cli.getSubcommands().containsKey("run")) {
            cli.addSubcommand(new RunCommand());
        }
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(new StringWriter(), true));
        cli.setErr(new PrintWriter(err, true));
        String[] full = new String[args.length + 2];
        System.arraycopy(args, 0, full, 0, args.length);
        full[args.length] = "--out";
        full[args.length + 1] = out.toString();
        int code = cli.execute(full);
        return new String[] {String.valueOf(code), err.toString()};
    }

    private static void refused(String expected, String... args) throws Exception {
        Path out = Files.createTempDirectory("detrkd-run-input").resolve("out");
        String[] r = result(out, args);
        assertEquals(r[0], "2", r[1]);
        assertTrue(r[1].contains(expected), r[1]);
        assertEquals(r[1].strip().lines().count(), 1L, r[1]);
        assertFalse(Files.exists(out), "nothing started");
    }

    @Test
    public void malformedSuiteFile() throws Exception {
        Path f = Files.createTempDirectory("detrkd-run-input").resolve("bad.yaml");
        Files.writeString(f, "schema: 1\nsuite: bad\nscales: [\n");
        refused("bad.yaml", "run", f.toString(), "--scale", "smoke");
    }

    @Test
    public void unknownSuiteScaleCellShardAndGpus() throws Exception {
        refused("unknown suite 'table9'", "run", "table9");
        refused("--scale: unknown scale 'huge'", "run", "table4", "--scale", "huge");
        refused("--only: unknown cell id conditional.nope", "run", "table4", "--scale", "smoke", "--only",
                "conditional.nope");
        refused("--shard: need 0 <= I < N, got 2/2", "run", "table4", "--scale", "smoke", "--shard", "2/2");
        refused("--devices: ", "run", "table4", "--scale", "smoke", "--devices", "1");
        refused("--devices: must be auto, 0 (CPU) or a number of GPUs, got -1", "run", "table4", "--scale", "smoke",
                "--devices", "-1");
        refused("--devices: must be auto, 0 (CPU) or a number of GPUs, got 'all'", "run", "table4", "--scale",
                "smoke", "--devices", "all");
    }

    /** {@code --devices 2} on a machine whose engine sees fewer GPUs: exit 2, one line naming how many it sees. */
    @Test
    public void twoGpusAreRefusedWhereTheEngineSeesFewer() throws Exception {
        int gpus = ai.djl.engine.Engine.getInstance().getGpuCount();
        if (gpus >= 2) {
            throw new org.testng.SkipException("this machine has " + gpus + " GPUs");
        }
        refused("--devices: asked for 2 GPUs but the engine sees " + gpus, "run", "table4", "--scale", "smoke",
                "--devices", "2");
        refused("dataset folder ", "run", "table4", "--scale", "paper", "--data-root", "/no/such/root");
    }
}
