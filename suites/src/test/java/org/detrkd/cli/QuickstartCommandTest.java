package org.detrkd.cli;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.detrkd.detr.distill.DistillRun;
import org.detrkd.detr.distill.StudentWeights;
import org.detrkd.detr.model.Detector;
import org.detrkd.detr.train.DetectorEvaluator;
import org.detrkd.detr.train.DetectorFactory;
import org.detrkd.detr.train.RunSpec;
import org.detrkd.quickstart.QuickstartFixtures;
import org.detrkd.quickstart.ShippedFiles;
import org.detrkd.reports.model.ResultJson;
import org.detrkd.reports.model.ResultRecord;
import org.detrkd.reports.model.Scale;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.Test;

/**
 * {@code detrkd quickstart} end to end on tiny generated data with a tiny teacher trained here: the three APs are
 * printed and equal the records, the teacher's equals an independent evaluation, the report exists, the students
 * trained in two child JVMs equal the ones trained one after the other in this JVM (bit for bit), a rerun trains
 * nothing; and bad input is one line with exit code 2.
 */
public class QuickstartCommandTest {
    private static final Pattern ROW = Pattern.compile("(?m)^  (teacher|plain student|DETRDistill student)\\s+"
            + "([0-9.]+) +([0-9.]+)(.*)$");

    private Path shipped;

    @BeforeClass
    public void tinyTeacher() throws Exception {
        shipped = QuickstartFixtures.tinyShippedFolder(Files.createTempDirectory("detrkd-qs-shipped"));
    }

    private static String[] args(Path out, Path shipped, String jobs) {
        return new String[] {"quickstart", "--out", out.toString(), "--shipped", shipped.toString(), "--train",
            Integer.toString(QuickstartFixtures.TRAIN), "--val", Integer.toString(QuickstartFixtures.VAL),
            "--image-size", Integer.toString(QuickstartFixtures.IMAGE_SIZE), "--epochs", "1", "--batch-size", "4",
            "--min-teacher-ap", "0", "--threads", "1", "--jobs", jobs, "--seed", "7", "--log-every", "1"};
    }

    @Test
    public void endToEndOnTinyDataAndRerunResumes() throws Exception {
        Path out = Files.createTempDirectory("detrkd-qs");
        // a fresh JVM, as './detrkd quickstart' starts: nothing has loaded the engine before the job needs it
        Fresh r = Fresh.run(out.resolve("quickstart.log"), args(out, shipped, "2"));
        assertEquals(r.code, 0, r.err + r.out);
        assertTrue(r.out.contains("students: 2 child JVMs side by side (1 thread each)"), r.out);
        assertTrue(r.out.contains("SMOKE-scale numbers (not a result)"), r.out);
        assertTrue(r.out.contains("provenance: commit "), r.out);

        List<ResultRecord> recs = List.of(record(out, "teacher"), record(out, "student"), record(out, "detrdistill"));
        double[][] printed = rows(r.out, false);
        for (int i = 0; i < 3; i++) {
            ResultRecord rec = recs.get(i);
            assertEquals(rec.suite(), "quickstart");
            assertEquals(rec.scale(), Scale.SMOKE);
            assertEquals(printed[i][0], rec.metrics().ap(), 5e-5, rec.cellId());
            assertEquals(printed[i][1], rec.metrics().ap50(), 5e-5, rec.cellId());
        }
        assertEquals(recs.get(1).method(), "student");
        assertEquals(recs.get(2).method(), "detrdistill");
        assertEquals(recs.get(2).preset(), "paper");
        assertEquals(recs.get(1).seed(), 7L);
        Matcher change = Pattern.compile("change \\(DETRDistill - plain\\)\\s+([-+0-9.]+)").matcher(r.out);
        assertTrue(change.find(), r.out);
        assertEquals(Double.parseDouble(change.group(1)), recs.get(2).metrics().ap() - recs.get(1).metrics().ap(),
                1e-4);
        assertEquals(recs.get(0).metrics().ap(), teacherApDirect(out), 1e-12, "the teacher row is its evaluation");
        Matcher report = Pattern.compile("report: (\\S+index\\.html)").matcher(r.out);
        assertTrue(report.find(), r.out);
        assertTrue(Files.isRegularFile(Path.of(report.group(1))));
        for (String f : new String[] {"results.csv", "summary.csv", "tables.md"}) {
            assertTrue(Files.isRegularFile(out.resolve("report").resolve(f)), f);
        }
        assertTrue(Files.readString(out.resolve("report/tables.md")).contains("DETRDistill (LD+FD+AD)"));
        // the cell pages' analysis: every model's instability (Conditional DETR mini: 3 decoder stages, 2 pairs),
        // DETRDistill's selection masks over the first 4 val images, copied into the report
        for (ResultRecord rec : List.of(record(out, "teacher"), record(out, "student"), record(out, "detrdistill"))) {
            assertEquals(rec.instability().size(), 2, rec.cellId() + " " + rec.instability());
            assertEquals(rec.maskImages() == null ? 0 : rec.maskImages().size(),
                    rec.cellId().equals("detrdistill") ? 4 : 0, rec.cellId());
        }
        for (String cell : new String[] {"student", "detrdistill"}) {
            ResultRecord rec = record(out, cell);
            assertEquals(rec.history().size(), 1, "one epoch: " + rec.history());
            assertEquals(rec.history().get(0).epoch(), 1);
            assertEquals(rec.history().get(0).ap(), rec.metrics().ap(), 1e-12, "the final AP on the last epoch");
            assertTrue(rec.history().get(0).loss().containsKey("loss_ce"), rec.history().toString());
            assertEquals(rec.history().get(0).loss().containsKey("kd_feat"), cell.equals("detrdistill"));
        }
        assertEquals(record(out, "teacher").history(), List.of());
        try (var files = Files.walk(out.resolve("report"))) {
            assertEquals(files.filter(f -> f.getFileName().toString().matches(".*-mask\\d\\.png")).count(), 4);
        }

        Path runs = out.resolve("runs");
        Path plainFinal;
        try (var dirs = Files.list(runs)) {
            plainFinal = dirs.findFirst().orElseThrow().resolve("student/final-student/student.safetensors");
        }
        String plainSha = ShippedFiles.sha256(plainFinal);
        long plainTime = Files.getLastModifiedTime(plainFinal).toMillis();

        DetrkdCliTest.Run again = new DetrkdCliTest.Run(args(out, shipped, "1"));
        assertEquals(again.code, 0, again.err);
        assertTrue(again.out.contains("students: both reused from an earlier run"), again.out);
        double[][] reprinted = rows(again.out, true);
        for (int i = 0; i < 3; i++) {
            assertEquals(reprinted[i], printed[i]);
        }
        assertEquals(Files.getLastModifiedTime(plainFinal).toMillis(), plainTime, "not retrained");

        // as when another job in this JVM started the engine with two threads: --threads 1 must still hold
        ai.djl.engine.Engine.getInstance();
        ai.djl.pytorch.jni.JniUtils.setNumThreads(2);
        Path sequential = Files.createTempDirectory("detrkd-qs-seq");
        DetrkdCliTest.Run seq = new DetrkdCliTest.Run(args(sequential, shipped, "1"));
        assertEquals(seq.code, 0, seq.err);
        assertTrue(seq.out.contains("students: 2 in this JVM one after the other"), seq.out);
        Path seqFinal;
        try (var dirs = Files.list(sequential.resolve("runs"))) {
            seqFinal = dirs.findFirst().orElseThrow().resolve("student/final-student/student.safetensors");
        }
        assertEquals(ShippedFiles.sha256(seqFinal), plainSha, "child JVM and in-process plain students differ");
        double[][] seqRows = rows(seq.out, false);
        for (int i = 0; i < 3; i++) {
            assertEquals(seqRows[i], printed[i], "row " + i);
        }
    }

    /** {@code detrkd ARGS} in a new JVM with this one's class path and one intra-op thread. */
    private record Fresh(int code, String out, String err) {
        static Fresh run(Path log, String... args) throws Exception {
            List<String> cmd = new java.util.ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx2g",
                    "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1", "-Dai.djl.pytorch.num_interop_threads=1",
                    "-cp", System.getProperty("java.class.path"), Detrkd.class.getName()));
            cmd.addAll(List.of(args));
            Path stdout = log.resolveSibling(log.getFileName() + ".out");
            Process p = new ProcessBuilder(cmd).redirectOutput(stdout.toFile()).redirectError(log.toFile()).start();
            int code = p.waitFor();
            String err = Files.readString(log);
            return new Fresh(code, Files.readString(stdout), err.length() > 4000 ? err.substring(err.length() - 4000)
                    : err);
        }
    }

    private static ResultRecord record(Path out, String cell) {
        return ResultJson.read(out.resolve("results").resolve(cell).resolve("result.json"));
    }

    private static double[][] rows(String text, boolean reused) {
        Matcher m = ROW.matcher(text);
        double[][] rows = new double[3][];
        int i = 0;
        while (m.find()) {
            rows[i++] = new double[] {Double.parseDouble(m.group(2)), Double.parseDouble(m.group(3))};
            assertEquals(m.group(4).contains("from an earlier run"), reused, m.group());
        }
        assertEquals(i, 3, text);
        return rows;
    }

    private double teacherApDirect(Path out) throws Exception {
        Path teacherDir = out.resolve("teacher");
        RunSpec spec = RunSpec.read(teacherDir.resolve(RunSpec.FILE));
        try (NDManager manager = NDManager.newBaseManager()) {
            Detector model = DetectorFactory.create(spec, manager);
            StudentWeights.load(model, DistillRun.latestWeights(teacherDir));
            return DetectorEvaluator.forSplit(out.resolve("data/shapes"), "val", spec.batchSize())
                    .evaluate(model, null).result().stats()[0];
        }
    }

    @Test
    public void trainTeacherPretrainsAndTrainsItsOwnTeacher() throws Exception {
        Path out = Files.createTempDirectory("detrkd-qs-own");
        List<String> a = new java.util.ArrayList<>(List.of(args(out, shipped, "1")));
        a.addAll(List.of("--train-teacher", "--teacher-minutes", "0.02", "--pretrain-steps", "2"));
        DetrkdCliTest.Run r = new DetrkdCliTest.Run(a.toArray(String[]::new));
        assertEquals(r.code, 0, r.err + r.out);
        Path run = out.resolve("trained-teacher/run");
        assertTrue(r.out.contains("teacher: trained here (" + run + ")"), r.out);
        RunSpec spec = RunSpec.read(run.resolve(RunSpec.FILE));
        assertEquals(spec.size(), "teacher");
        assertEquals(spec.minutes(), 0.02);
        assertEquals(spec.backboneWeights(), out.resolve("trained-teacher/pre-teacher.safetensors").toString());
        assertEquals(spec.backboneWeightsSha256(),
                ShippedFiles.sha256(out.resolve("trained-teacher/pre-teacher.safetensors")));
        ResultRecord teacher = record(out, "teacher");
        assertEquals(teacher.metrics().ap(), rows(r.out, false)[0][0], 5e-5);
        assertEquals(record(out, "student").teacher().get("sha256"),
                ShippedFiles.sha256(DistillRun.latestWeights(run).resolve("student.safetensors")));

        DetrkdCliTest.Run again = new DetrkdCliTest.Run(a.toArray(String[]::new));
        assertEquals(again.code, 0, again.err);
        assertTrue(again.out.contains("students: both reused from an earlier run"), again.out);
    }

    @Test
    public void badOptionsAreOneLineWithExitCode2() throws Exception {
        Path out = Files.createTempDirectory("detrkd-qs-bad");
        String[][] cases = {
            {"--epochs", "0"}, {"--jobs", "3"}, {"--threads", "0"}, {"--min-teacher-ap", "2"},
            {"--teacher-minutes", "-1"}, {"--val", "0"}};
        String[] expected = {
            "detrkd: --epochs: must be positive, got 0",
            "detrkd: --jobs: must be 1 or 2, got 3",
            "detrkd: --threads: must be positive, got 0",
            "detrkd: --min-teacher-ap: must be in [0, 1], got 2.0",
            "detrkd: --teacher-minutes: must be positive, got -1.0",
            "detrkd: --val: must be positive, got 0"};
        for (int i = 0; i < cases.length; i++) {
            String[] a = new String[cases[i].length + 3];
            a[0] = "quickstart";
            a[1] = "--out";
            a[2] = out.toString();
            System.arraycopy(cases[i], 0, a, 3, cases[i].length);
            DetrkdCliTest.Run r = new DetrkdCliTest.Run(a);
            assertEquals(r.code, Detrkd.EXIT_BAD_INPUT, String.join(" ", a));
            assertEquals(r.err.strip(), expected[i]);
        }
        Path missing = out.resolve("no-such-folder");
        DetrkdCliTest.Run r = new DetrkdCliTest.Run("quickstart", "--out", out.toString(), "--shipped",
                missing.toString());
        assertEquals(r.code, Detrkd.EXIT_BAD_INPUT);
        assertTrue(r.err.strip().startsWith("detrkd: " + missing), r.err);
        assertFalse(r.err.strip().contains("\n"), r.err);
    }

    @Test
    public void aSecondQuickstartInTheSameFolderIsRefused() throws Exception {
        Path out = Files.createTempDirectory("detrkd-qs-locked");
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(out.resolve(".quickstart.lock"),
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
                java.nio.channels.FileLock held = ch.lock()) {
            DetrkdCliTest.Run r = new DetrkdCliTest.Run(args(out, shipped, "1"));
            assertEquals(r.code, Detrkd.EXIT_BAD_INPUT, r.err);
            assertEquals(r.err.strip(), "detrkd: " + out + ": another detrkd quickstart is running in this folder (it "
                    + "holds .quickstart.lock): wait for it to end or use another --out");
            assertFalse(Files.exists(out.resolve("data")), "nothing done");
        }
    }

    @Test
    public void aCorruptShippedFileIsRefusedBeforeAnythingTrains() throws Exception {
        Path bad = Files.createTempDirectory("detrkd-qs-corrupt");
        for (String f : new String[] {ShippedFiles.TEACHER, ShippedFiles.TEACHER_SPEC, ShippedFiles.STUDENT_BACKBONE,
            ShippedFiles.SUMS}) {
            Files.copy(shipped.resolve(f), bad.resolve(f));
        }
        byte[] weights = Files.readAllBytes(bad.resolve(ShippedFiles.TEACHER));
        weights[weights.length - 1] ^= 1;
        Files.write(bad.resolve(ShippedFiles.TEACHER), weights);
        Path out = Files.createTempDirectory("detrkd-qs-corrupt-out");
        String[] a = args(out, bad, "1");
        DetrkdCliTest.Run r = new DetrkdCliTest.Run(a);
        assertEquals(r.code, Detrkd.EXIT_BAD_INPUT, r.err);
        String actual = ShippedFiles.sha256(bad.resolve(ShippedFiles.TEACHER));
        String listed = ShippedFiles.fromFolder(bad).checksums().get(ShippedFiles.TEACHER);
        assertEquals(r.err.strip(), String.format(Locale.ROOT, "detrkd: %s/%s: SHA-256 %s does not match %s (%s): "
                + "the file is corrupt or not the one listed", bad, ShippedFiles.TEACHER, actual, ShippedFiles.SUMS,
                listed));
        assertFalse(Files.exists(out.resolve("runs")), "nothing trained");
        assertFalse(Files.exists(out.resolve("teacher/student.safetensors")), "the corrupt file is not installed");

        Files.writeString(bad.resolve(ShippedFiles.SUMS), "not-a-checksum teacher.safetensors\n");
        DetrkdCliTest.Run r2 = new DetrkdCliTest.Run(args(out, bad, "1"));
        assertEquals(r2.code, Detrkd.EXIT_BAD_INPUT, r2.err);
        assertEquals(r2.err.strip(), "detrkd: " + bad + "/" + ShippedFiles.SUMS + ": line 1: expected '<64 hex "
                + "digits>  <file name>' (sha256sum format), got 'not-a-checksum teacher.safetensors'");
    }
}
