package org.detrkd.baselines.cli;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.detrkd.baselines.MethodRegistry;
import org.detrkd.datasets.io.InputException;
import org.detrkd.detr.model.Detector;
import org.detrkd.detr.distill.DistillRun;
import org.detrkd.detr.distill.NoDistillation;
import org.detrkd.detr.distill.StudentWeights;
import org.detrkd.detr.engine.Devices;
import org.detrkd.detr.train.DetectorEvaluator;
import org.detrkd.detr.train.DetectorFactory;
import org.detrkd.detr.train.RunSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code detrkd compare --teacher RUN_DIR --data DIR --out DIR [--methods fitnet,fgd,mgd,fkd,fgfi,detrdistill,
 * clockdistill] [--epochs N | --minutes M] [--seed S] [--baseline RUN_DIR]}: distils the student with each method
 * (default presets and options) from the same teacher and data, plus the KD-off control {@code none} (the plain
 * student: it trains bit for bit like plain training, the teacher forward included), one {@link DistillRun} per
 * method in {@code OUT/<method>} (each resumable; a method whose {@code compare-result.json} exists is not rerun), and
 * prints AP, AP50, APs, APm, APl per method and the time per training step relative to {@code none}. The same table
 * goes to {@code OUT/compare.json}.
 */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = "Distil the student with several methods and compare AP and step time with the plain student.")
public final class CompareCommand implements Callable<Integer> {

    /** Per-method result file inside its folder. */
    public static final String RESULT = "compare-result.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final String[] STATS = {"AP", "AP50", "APs", "APm", "APl"};

    @Spec
    CommandSpec spec;

    @Option(names = "--teacher", required = true, paramLabel = "RUN_DIR", description = "the teacher's run folder")
    Path teacher;

    @Option(names = "--data", required = true, paramLabel = "DIR", description = "COCO-format dataset folder")
    Path data;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "one subfolder per method")
    Path out;

    @Option(names = "--methods", split = ",", paramLabel = "NAMES",
            defaultValue = "fitnet,fgd,mgd,fkd,fgfi,detrdistill,clockdistill",
            description = "methods to compare (default: ${DEFAULT-VALUE}); 'none' always runs as the plain student")
    List<String> methods;

    @Option(names = "--epochs", paramLabel = "N")
    Integer epochs;

    @Option(names = "--minutes", paramLabel = "M", description = "time budget per method in minutes")
    Double minutes;

    @Option(names = "--seed", defaultValue = "42", description = "the seed of a single-seed comparison")
    long seed;

    @Option(names = "--seeds", split = ",", paramLabel = "S", description = "several seeds (e.g. 0,1,2): every "
            + "method runs once per seed in OUT/<method>/seed-S, and the table shows mean and spread, with the "
            + "change against 'none' paired by seed")
    List<Long> seeds;

    @Option(names = "--baseline", paramLabel = "RUN_DIR", description = "a plain student's run folder to add")
    Path baseline;

    @Option(names = "--min-teacher-ap", defaultValue = "0.01", paramLabel = "X")
    double minTeacherAp;

    @Option(names = "--batch-size", paramLabel = "B", description = "default: the teacher run's")
    Integer batchSize;

    @Option(names = "--queries", defaultValue = "0", paramLabel = "Q", description = "student queries (0: preset)")
    int queries;

    @Option(names = "--threads", paramLabel = "N", description = "intra-op threads (default: cores)")
    Integer threads;

    @Option(names = "--backbone-weights", paramLabel = "FILE", description = "start every student from backbone "
            + "weights written by 'detrkd pretrain --size student' (as its plain run did)")
    Path backboneWeights;

    @Option(names = "--stop-after-steps", defaultValue = "0", paramLabel = "N",
            description = "end each method's invocation after N steps (0: no limit)")
    long stopAfterSteps;

    @Option(names = "--log-every", defaultValue = "50", paramLabel = "STEPS")
    int logEvery;

    @Option(names = "--devices", paramLabel = "auto|N", defaultValue = Devices.AUTO,
            description = "GPUs to train on, as 'distill --devices' (default: auto)")
    String devices;

    /** One row of the table. */
    record Row(String method, double[] stats, long steps, double trainSeconds, String stopReason) {
        double secondsPerStep() {
            return steps == 0 ? Double.NaN : trainSeconds / steps;
        }
    }

    @Override
    public Integer call() throws Exception {
        List<String> all = new ArrayList<>();
        all.add(NoDistillation.NAME);
        for (String m : methods) {
            if (!MethodRegistry.names().contains(m)) {
                throw new InputException((String) null, "--methods", "unknown distillation method '" + m
                        + "'; known: " + String.join(", ", MethodRegistry.names()), null);
            }
            if (!all.contains(m)) {
                all.add(m);
            }
        }
        PrintWriter w = spec.commandLine().getOut();
        dropEncoderMethods(all, w);
        if (seeds != null) {
            if (seeds.isEmpty() || seeds.stream().distinct().count() != seeds.size()) {
                throw new InputException((String) null, "--seeds", "give distinct seeds, e.g. 0,1,2", null);
            }
            Map<String, List<Row>> runs = new LinkedHashMap<>();
            for (long s : seeds) {
                for (String m : all) {
                    runs.computeIfAbsent(m, k -> new ArrayList<>()).add(runMethod(m, s,
                            out.resolve(m).resolve("seed-" + s)));
                }
            }
            SeedTable.write(out, teacher, seeds, runs);
            w.print(SeedTable.text(seeds, runs));
            w.flush();
            return 0;
        }
        List<Row> rows = new ArrayList<>();
        for (String m : all) {
            rows.add(runMethod(m, seed, out.resolve(m)));
        }
        Row plainBaseline = baseline == null ? null : baselineRow();
        write(rows, plainBaseline);
        w.print(table(rows, plainBaseline));
        w.flush();
        return 0;
    }

    /** Runs (or resumes, or reads back) one method with one seed in {@code dir}. */
    private Row runMethod(String method, long runSeed, Path dir) throws IOException {
        Path done = dir.resolve(RESULT);
        if (Files.isRegularFile(done)) {
            JsonNode n = JSON.readTree(done.toFile());
            String was = n.path("budget").asText();
            if (!was.equals(budget(runSeed))) {
                throw new InputException(done, "budget", "the folder holds a finished run with " + was
                        + ", this invocation asks for " + budget(runSeed) + ": use another --out");
            }
            return read(done);
        }
        DistillCommand d = new DistillCommand();
        d.teacher = teacher;
        d.data = data;
        d.out = dir;
        d.epochs = epochs;
        d.minutes = minutes;
        d.seed = runSeed;
        d.batchSize = batchSize;
        d.queries = queries;
        d.threads = threads;
        d.devices = devices;
        d.backboneWeights = backboneWeights;
        RunSpec student = d.resolve();
        MethodRegistry.Factory factory = MethodRegistry.factory(method);
        Map<String, Object> description = new LinkedHashMap<>();
        description.put("method", method);
        description.put("preset", null);
        description.put("options", Map.of());
        description.put("compare", true);
        Files.createDirectories(dir);
        DistillRun.Result r = new DistillRun(student, dir, teacher, minTeacherAp,
                (ctx, manager) -> {
                    try {
                        return factory.create(ctx, manager, null, Map.of());
                    } catch (IllegalArgumentException e) {
                        throw new InputException((String) null, "--methods", method + ": " + e.getMessage(), null);
                    }
                }, description)
                .withLogEvery(logEvery).withStopAfterSteps(stopAfterSteps).withDevices(d.deviceList).run();
        Row row = new Row(method, r.result().stats(), r.steps(), r.trainSeconds(), r.stopReason());
        if (!row.stopReason().equals("stop-after-steps")) {
            Map<String, Object> m = toMap(row);
            m.put("budget", budget(runSeed));
            JSON.writeValue(done.toFile(), m);
        }
        return row;
    }

    /**
     * CLoCKDistill distils an encoder's output: for a teacher without an encoder (AdaMixer) it is left out of the
     * default method list with a note, and refused when {@code --methods} names it.
     */
    private void dropEncoderMethods(List<String> all, PrintWriter w) throws IOException {
        String clock = org.detrkd.baselines.clockdistill.ClockDistill.NAME;
        if (!all.contains(clock) || !Files.isDirectory(teacher)) {
            return; // an unreadable teacher folder is reported by DistillCommand.resolve()
        }
        String detector = RunSpec.read(RunSpec.locate(teacher)).detector();
        if (!detector.equals("adamixer")) {
            return;
        }
        var parsed = spec.commandLine().getParseResult();
        if (parsed != null && parsed.hasMatchedOption("--methods")) {
            throw new InputException((String) null, "--methods", clock + " distils an encoder's output and the "
                    + "teacher (" + detector + ") has none: leave it out", null);
        }
        all.remove(clock);
        w.println("note: " + clock + " left out (" + detector + " has no encoder)");
    }

    /** @return what identifies a finished method's run: teacher, budget, seed and the student's backbone */
    private String budget(long runSeed) {
        return String.format(Locale.ROOT, "teacher %s, %s, seed %d%s", teacher.toAbsolutePath().normalize(),
                epochs != null ? epochs + " epochs" : minutes + " min", runSeed,
                backboneWeights == null ? "" : ", backbone " + backboneWeights.toAbsolutePath().normalize());
    }

    private Row baselineRow() throws IOException {
        RunSpec b = RunSpec.read(RunSpec.locate(baseline));
        DetectorEvaluator evaluator = DetectorEvaluator.forSplit(data.toAbsolutePath(), "val", b.batchSize());
        try (NDManager manager = NDManager.newBaseManager()) {
            Detector model = DetectorFactory.create(b, manager);
            StudentWeights.load(model, DistillRun.latestWeights(baseline));
            return new Row("plain (--baseline)", evaluator.evaluate(model, null).result().stats(), 0, 0, "-");
        }
    }

    /**
     * @param rows the methods' rows, {@code none} first
     * @param plainBaseline the {@code --baseline} row or null
     * @return the text table
     */
    static String table(List<Row> rows, Row plainBaseline) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-20s %7s %7s %7s %7s %7s %10s %8s %7s%n", "method", "AP", "AP50",
                "APs", "APm", "APl", "ms/step", "x none", "steps"));
        double ref = rows.get(0).secondsPerStep();
        List<Row> shown = new ArrayList<>(rows);
        if (plainBaseline != null) {
            shown.add(plainBaseline);
        }
        for (Row r : shown) {
            double[] s = r.stats();
            boolean timed = r.steps() > 0;
            sb.append(String.format(Locale.ROOT, "%-20s %7.4f %7.4f %7.4f %7.4f %7.4f %10s %8s %7s%n", r.method(),
                    s[0], s[1], s[3], s[4], s[5],
                    timed ? String.format(Locale.ROOT, "%.1f", 1000 * r.secondsPerStep()) : "-",
                    timed ? String.format(Locale.ROOT, "%.2f", r.secondsPerStep() / ref) : "-",
                    timed ? Long.toString(r.steps()) : "-"));
        }
        sb.append("none = KD-off control (the plain student; its step includes the frozen teacher's forward). "
                + "Step times are wall-clock on this machine.\n");
        return sb.toString();
    }

    private void write(List<Row> rows, Row plainBaseline) throws IOException {
        List<Map<String, Object>> list = new ArrayList<>();
        for (Row r : rows) {
            list.add(toMap(r));
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("teacher", teacher.toAbsolutePath().normalize().toString());
        doc.put("methods", list);
        if (plainBaseline != null) {
            doc.put("baseline", toMap(plainBaseline));
        }
        Files.createDirectories(out);
        JSON.writeValue(out.resolve("compare.json").toFile(), doc);
    }

    static Map<String, Object> toMap(Row r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("method", r.method());
        for (int i = 0; i < STATS.length; i++) {
            m.put(STATS[i], r.stats()[i < 2 ? i : i + 1]);
        }
        m.put("stats", r.stats());
        m.put("steps", r.steps());
        m.put("train_seconds", r.trainSeconds());
        m.put("stop_reason", r.stopReason());
        return m;
    }

    private static Row read(Path file) throws IOException {
        JsonNode n = JSON.readTree(file.toFile());
        JsonNode s = n.get("stats");
        if (s == null || n.get("method") == null) {
            throw new InputException(file, "", "not a compare result (no method/stats)");
        }
        double[] stats = new double[s.size()];
        for (int i = 0; i < stats.length; i++) {
            stats[i] = s.get(i).asDouble();
        }
        return new Row(n.get("method").asText(), stats, n.get("steps").asLong(), n.get("train_seconds").asDouble(),
                n.get("stop_reason").asText());
    }
}
