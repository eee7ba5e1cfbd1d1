package org.detrkd.suites.run;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A one-node Slurm cluster on this machine for tests: its own munged (a generated key, its own socket), slurmctld and
 * slurmd started in the foreground as child processes, all state, spool and logs in one folder, free ports, no
 * systemd, no cgroups ({@code proctrack/linuxproc}, {@code task/none}), no accounting. Every Slurm command is run with
 * {@code SLURM_CONF} pointing at the generated {@code slurm.conf}, so nothing under {@code /etc} is read or changed.
 * {@link #close} cancels the jobs it submitted and stops the three daemons it started.
 */
final class LocalSlurm implements AutoCloseable {
    /** Node and partition names of the generated configuration. */
    static final String NODE = "detrkd-node";
    static final String PARTITION = "detrkd";

    private static final List<String> BINARIES = List.of("munged", "slurmctld", "slurmd", "sbatch", "squeue", "sinfo",
            "scontrol", "scancel");

    private final Path dir;
    private final Path conf;
    private final List<Process> daemons = new ArrayList<>();
    private final List<String> names = new ArrayList<>();
    private final List<String> jobs = new ArrayList<>();
    private final int cpus;

    private LocalSlurm(Path dir, int cpus) {
        this.dir = dir;
        this.conf = dir.resolve("slurm.conf");
        this.cpus = cpus;
    }

    /**
     * Why a local cluster cannot be started here, or null when it can: a missing binary (the Debian packages
     * slurmctld, slurmd, slurm-client and munge bring them) or a user other than root (slurmd starts jobs as their
     * owner, which needs root).
     */
    static String unavailable() {
        List<String> missing = BINARIES.stream().filter(b -> which(b) == null).toList();
        if (!missing.isEmpty()) {
            return "no " + String.join(", ", missing) + " on this machine (Debian: apt-get install slurmctld slurmd "
                    + "slurm-client munge): the Slurm script is not submitted to a real Slurm";
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            return "Slurm is installed but the tests run as '" + System.getProperty("user.name") + "', not root: a "
                    + "local slurmd must be root to start jobs, so the Slurm script is not submitted";
        }
        return null;
    }

    /**
     * Starts munged, slurmctld and slurmd with a configuration in a new temporary folder (its own: munged wants every
     * folder above its socket enterable by all), and waits until the node is idle.
     */
    static LocalSlurm start(Duration timeout) throws Exception {
        int cpus = Runtime.getRuntime().availableProcessors();
        Path dir = Files.createTempDirectory("detrkd-slurm-daemons");
        LocalSlurm s = new LocalSlurm(dir, cpus);
        try {
            s.startDaemons(timeout);
        } catch (Exception | AssertionError e) {
            String logs = s.logs();
            s.close();
            throw new IllegalStateException("local Slurm did not start: " + e.getMessage() + "\n" + logs, e);
        }
        return s;
    }

    private void startDaemons(Duration timeout) throws Exception {
        // munged refuses a socket folder that not everybody may enter, and a key others can read
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path munge = Files.createDirectories(dir.resolve("munge"));
        Files.setPosixFilePermissions(munge, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path key = munge.resolve("munge.key");
        byte[] bytes = new byte[1024];
        new SecureRandom().nextBytes(bytes);
        Files.write(key, bytes);
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        Path socket = munge.resolve("munge.socket");
        daemon(dir.resolve("munged.out"), which("munged"), "-F", "--key-file=" + key,
                "--socket=" + socket, "--pid-file=" + munge.resolve("munged.pid"),
                "--log-file=" + munge.resolve("munged.log"), "--seed-file=" + munge.resolve("munged.seed"));
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!Files.exists(socket)) {
            check(deadline, "munged's socket");
        }
        Files.createDirectories(dir.resolve("state"));
        Files.createDirectories(dir.resolve("spool"));
        int[] ports = freePorts();
        Files.writeString(conf, config(socket, ports[0], ports[1]));
        daemon(dir.resolve("slurmctld.out"), which("slurmctld"), "-D", "-i");
        daemon(dir.resolve("slurmd.out"), which("slurmd"), "-D", "-N", NODE);
        String state = "";
        while (!state.equals("idle")) {
            check(deadline, "the node to be idle (sinfo says '" + state + "')");
            Result r = command(Duration.ofSeconds(10), "sinfo", "-h", "-n", NODE, "-o", "%t");
            state = r.code() == 0 ? r.out().strip() : "";
        }
    }

    private String config(Path mungeSocket, int ctldPort, int slurmdPort) {
        return String.join("\n",
                "# generated by LocalSlurm: a one-node cluster for tests",
                "ClusterName=detrkdtest",
                "SlurmctldHost=localhost(127.0.0.1)",
                "SlurmctldPort=" + ctldPort,
                "SlurmdPort=" + slurmdPort,
                "SlurmUser=root",
                "SlurmdUser=root",
                "AuthType=auth/munge",
                "CredType=cred/munge",
                "AuthInfo=socket=" + mungeSocket,
                "StateSaveLocation=" + dir.resolve("state"),
                "SlurmdSpoolDir=" + dir.resolve("spool"),
                "SlurmctldPidFile=" + dir.resolve("slurmctld.pid"),
                "SlurmdPidFile=" + dir.resolve("slurmd.pid"),
                "SlurmctldLogFile=" + dir.resolve("slurmctld.log"),
                "SlurmdLogFile=" + dir.resolve("slurmd.log"),
                "SlurmctldDebug=info",
                "SlurmdDebug=info",
                "ProctrackType=proctrack/linuxproc",
                "TaskPlugin=task/none",
                "JobAcctGatherType=jobacct_gather/none",
                "AccountingStorageType=accounting_storage/none",
                "JobCompType=jobcomp/none",
                "SchedulerType=sched/builtin",
                "SelectType=select/cons_tres",
                "SelectTypeParameters=CR_CPU",
                "MpiDefault=none",
                "SwitchType=switch/none",
                "ReturnToService=2",
                "InactiveLimit=0",
                "KillWait=5",
                "MinJobAge=600",
                "NodeName=" + NODE + " NodeHostname=localhost NodeAddr=127.0.0.1 CPUs=" + cpus
                        + " RealMemory=1000 State=UNKNOWN",
                "PartitionName=" + PARTITION + " Nodes=" + NODE + " Default=YES MaxTime=INFINITE State=UP",
                "");
    }

    /** Submits a batch script from {@code cwd}; returns the job id. */
    String submit(Path script, Path cwd) throws Exception {
        Result r = command(cwd, Duration.ofSeconds(30), "sbatch", "--parsable", script.toString());
        if (r.code() != 0) {
            throw new AssertionError("sbatch " + script + " exited " + r.code() + ": " + r.out());
        }
        String id = r.out().strip().split(";")[0];
        jobs.add(id);
        return id;
    }

    /** Waits until no task of the job is pending or running any more (squeue lists none). */
    void await(String jobId, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Result r = command(Duration.ofSeconds(10), "squeue", "-h", "-j", jobId, "-o", "%i %T");
            if (r.code() == 0 && r.out().isBlank()) {
                return;
            }
            check(deadline, "job " + jobId + " to end (squeue: " + r.out().strip() + ")");
        }
    }

    /** The array tasks of an ended job: task id to "STATE exit-code", from {@code scontrol show job}. */
    Map<Integer, String> tasks(String jobId) throws Exception {
        Result r = command(Duration.ofSeconds(10), "scontrol", "-o", "show", "job", jobId);
        if (r.code() != 0) {
            throw new AssertionError("scontrol show job " + jobId + ": " + r.out());
        }
        Map<Integer, String> tasks = new LinkedHashMap<>();
        Pattern p = Pattern.compile("ArrayTaskId=(\\d+) .*JobState=(\\S+) .*ExitCode=(\\S+)");
        for (String line : r.out().split("\n")) {
            Matcher m = p.matcher(line);
            if (m.find()) {
                tasks.put(Integer.parseInt(m.group(1)), m.group(2) + " " + m.group(3));
            }
        }
        return tasks;
    }

    /** The tails of the daemons' logs, for failure messages. */
    String logs() {
        StringBuilder sb = new StringBuilder();
        for (String f : List.of("munged.out", "munge/munged.log", "slurmctld.log", "slurmctld.out", "slurmd.log",
                "slurmd.out")) {
            Path p = dir.resolve(f);
            if (Files.exists(p)) {
                try {
                    List<String> lines = Files.readAllLines(p, StandardCharsets.UTF_8);
                    sb.append("--- ").append(p).append('\n')
                            .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size())))
                            .append('\n');
                } catch (IOException e) {
                    sb.append("--- ").append(p).append(": ").append(e).append('\n');
                }
            }
        }
        return sb.toString();
    }

    /** Cancels the jobs it submitted, then stops slurmd, slurmctld and munged (SIGTERM, then SIGKILL). */
    @Override
    public void close() {
        if (Files.exists(conf)) {
            for (String job : jobs) {
                try {
                    command(Duration.ofSeconds(10), "scancel", job);
                } catch (Exception e) {
                    // the daemons go next anyway
                }
            }
        }
        for (int i = daemons.size() - 1; i >= 0; i--) {
            Process p = daemons.get(i);
            List<ProcessHandle> children = p.descendants().toList();
            p.destroy();
            try {
                if (!p.waitFor(15, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    p.waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
            children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        }
        daemons.clear();
        names.clear();
    }

    record Result(int code, String out) {
    }

    /** Runs a Slurm client command with this cluster's configuration. */
    Result command(Duration timeout, String... args) throws Exception {
        return command(dir, timeout, args);
    }

    private Result command(Path cwd, Duration timeout, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(args));
        cmd.set(0, which(args[0]));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true);
        pb.environment().put("SLURM_CONF", conf.toString());
        Process p = pb.start();
        p.getOutputStream().close();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", args) + " did not answer within " + timeout);
        }
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    private void daemon(Path log, String... cmd) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("SLURM_CONF", conf.toString());
        daemons.add(pb.start());
        names.add(Path.of(cmd[0]).getFileName().toString());
    }

    private void check(long deadline, String what) throws InterruptedException {
        for (int i = 0; i < daemons.size(); i++) {
            if (!daemons.get(i).isAlive()) {
                throw new IllegalStateException(names.get(i) + " exited with " + daemons.get(i).exitValue()
                        + " while waiting for " + what);
            }
        }
        if (System.nanoTime() > deadline) {
            throw new IllegalStateException("timed out waiting for " + what);
        }
        Thread.sleep(250);
    }

    /** Two distinct ports free on the loopback now (held open together so they differ). */
    private static int[] freePorts() throws IOException {
        try (ServerSocket a = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                ServerSocket b = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return new int[] {a.getLocalPort(), b.getLocalPort()};
        }
    }

    /** The absolute path of a binary on PATH or in the sbin folders (not on a user's PATH in Debian), or null. */
    static String which(String name) {
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(":")));
        dirs.addAll(List.of("/usr/sbin", "/sbin", "/usr/local/sbin", "/usr/bin"));
        for (String d : dirs) {
            if (!d.isEmpty()) {
                Path p = Path.of(d, name);
                if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                    return p.toString();
                }
            }
        }
        return null;
    }
}
