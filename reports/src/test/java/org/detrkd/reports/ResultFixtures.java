package org.detrkd.reports;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.detrkd.reports.model.CocoMetrics;
import org.detrkd.reports.model.Environment;
import org.detrkd.reports.model.EpochRecord;
import org.detrkd.reports.model.Failure;
import org.detrkd.reports.model.PaperRef;
import org.detrkd.reports.model.ResultRecord;
import org.detrkd.reports.model.Scale;
import org.detrkd.reports.model.Status;

/**
 * Hand-made result records for tests: a fluent builder with a fixed environment and fixed times, so golden files do
 * not depend on the machine. {@link #standardSet()} is the set behind the golden files.
 */
public final class ResultFixtures {
    /** The fixed environment of every fixture. */
    public static final Environment ENV = new Environment("0123abc", "0.1.0-SNAPSHOT", "0.35.1", "2.7.1",
            List.of("cpu()"), 1, "17.0.12", "Linux 6.1 amd64");

    private String suite = "table5";
    private Scale scale = Scale.MINI;
    private String cellId;
    private PaperRef paper;
    private String method = "student";
    private String preset;
    private Map<String, Object> options = new LinkedHashMap<>();
    private String detector = "adamixer";
    private int epochs = 12;
    private Map<String, Object> teacher;
    private Map<String, Object> student = new LinkedHashMap<>(Map.of("backbone", "resnet50", "queries", 100));
    private long seed;
    private CocoMetrics metrics;
    private Failure failure;
    private List<EpochRecord> history = new ArrayList<>();
    private List<Double> instability;
    private List<String> maskImages;
    private String finishedAt = "2026-11-01T12:00:00Z";

    private ResultFixtures(String cellId) {
        this.cellId = cellId;
    }

    /** A finished mini-scale AdaMixer student cell named {@code cellId}; set the rest fluently. */
    public static ResultFixtures cell(String cellId) {
        return new ResultFixtures(cellId);
    }

    public ResultFixtures suite(String v) { suite = v; return this; }
    public ResultFixtures scale(Scale v) { scale = v; return this; }
    public ResultFixtures paper(String table, String group, String row, String column) {
        paper = new PaperRef(table, group, row, column);
        return this;
    }
    public ResultFixtures method(String v) { method = v; return this; }
    public ResultFixtures preset(String v) { preset = v; return this; }
    public ResultFixtures option(String k, Object v) { options.put(k, v); return this; }
    public ResultFixtures detector(String v) { detector = v; return this; }
    public ResultFixtures epochs(int v) { epochs = v; return this; }
    public ResultFixtures teacher(Map<String, Object> v) { teacher = v; return this; }
    public ResultFixtures seed(long v) { seed = v; return this; }
    public ResultFixtures finishedAt(String v) { finishedAt = v; return this; }
    public ResultFixtures instability(Double... v) { instability = List.of(v); return this; }
    public ResultFixtures masks(String... v) { maskImages = List.of(v); return this; }

    /** Final metrics from AP, APs, APm, APl (0-1); the other 8 derived deterministically. */
    public ResultFixtures ap(double ap, double aps, double apm, double apl) {
        metrics = new CocoMetrics(ap, ap + 0.17, ap + 0.04, aps, apm, apl, 0.33, 0.55, ap + 0.2, aps + 0.15,
                apm + 0.15, apl + 0.12);
        return this;
    }

    /** Marks the cell failed at {@code step} with a NaN loss term. */
    public ResultFixtures failed(String message, long step) {
        failure = new Failure(message, step, Map.of("loss_ce", Double.NaN, "loss_bbox", 0.8));
        metrics = null;
        return this;
    }

    /** A history of {@code n} epochs with decreasing losses and AP rising to the final AP. */
    public ResultFixtures history(int n) {
        history = new ArrayList<>();
        double finalAp = metrics == null ? 0.3 : metrics.ap();
        for (int e = 1; e <= n; e++) {
            Map<String, Double> loss = new LinkedHashMap<>();
            loss.put("loss_ce", 1.2 / e);
            loss.put("loss_bbox", 0.9 - 0.05 * e);
            loss.put("loss_giou", 0.7 - 0.03 * e);
            history.add(new EpochRecord(e, Math.round(finalAp * e / n * 1000) / 1000.0, loss));
        }
        return this;
    }

    public ResultRecord build() {
        PaperRef ref = paper == null ? new PaperRef(suite, null, cellId, null) : paper;
        Status status = failure == null ? Status.FINISHED : Status.FAILED;
        return new ResultRecord(ResultRecord.SCHEMA_VERSION, suite, scale, cellId, ref, method, preset, options,
                detector, epochs, teacher, student, seed, status, failure, metrics, history, instability, maskImages,
                123.4, 5.25, 2_147_483_648L, ENV, finishedAt);
    }

    /**
     * The golden set: table 1 (AP after 4/8/12 epochs from the history of one 12-epoch run), table 5 (mini, AdaMixer, 2 seeds, AD hurts here where the paper says it helps, one AD seed
     * failed), table 3 AdaMixer group (mini), table 7 at smoke scale, and a CLoCKDistill comparison without a paper
     * table.
     */
    public static List<ResultRecord> standardSet() {
        List<ResultRecord> out = new ArrayList<>();
        String t3 = "AdaMixer (100 queries, 12 epochs)";
        double[][] none = {{0.420, 0.250, 0.445, 0.580}, {0.424, 0.254, 0.449, 0.584}};
        double[][] ld = {{0.436, 0.252, 0.463, 0.605}, {0.440, 0.256, 0.467, 0.609}};
        double[][] fd = {{0.430, 0.249, 0.460, 0.598}, {0.432, 0.251, 0.458, 0.600}};
        for (int s = 0; s < 2; s++) {
            out.add(cell("adamixer-none").paper("table5", null, "none", null).method("detrdistill").preset("paper")
                    .option("ld", false).option("fd", false).option("ad", false).seed(s)
                    .ap(none[s][0], none[s][1], none[s][2], none[s][3]).history(3).build());
            out.add(cell("adamixer-ld").paper("table5", null, "LD", null).method("detrdistill").preset("paper")
                    .option("ld", true).option("fd", false).option("ad", false).seed(s).teacher(teacher())
                    .ap(ld[s][0], ld[s][1], ld[s][2], ld[s][3]).history(3).instability(4.5, 3.0, 2.25, 1.5, 1.0)
                    .build());
            out.add(cell("adamixer-fd").paper("table5", null, "FD", null).method("detrdistill").preset("paper")
                    .option("ld", false).option("fd", true).option("ad", false).seed(s).teacher(teacher())
                    .ap(fd[s][0], fd[s][1], fd[s][2], fd[s][3]).history(3).build());
        }
        out.add(cell("adamixer-ad").paper("table5", null, "AD", null).method("detrdistill").preset("paper")
                .option("ad", true).seed(0).teacher(teacher()).ap(0.418, 0.255, 0.440, 0.575).history(3).build());
        out.add(cell("adamixer-ad").paper("table5", null, "AD", null).method("detrdistill").preset("paper")
                .option("ad", true).seed(1).teacher(teacher()).failed("non-finite loss: loss_ce is NaN", 1234)
                .history(2).build());
        out.add(cell("adamixer-student").suite("table3").paper("table3", t3, "student", null)
                .ap(0.421, 0.252, 0.447, 0.581).history(3).build());
        out.add(cell("adamixer-teacher").suite("table3").paper("table3", t3, "teacher", null).method("teacher")
                .ap(0.437, 0.255, 0.468, 0.607).build());
        out.add(cell("adamixer-fgd").suite("table3").paper("table3", t3, "FGD", null).method("fgd")
                .teacher(teacher()).ap(0.425, 0.248, 0.450, 0.585).history(3).build());
        out.add(cell("adamixer-detrdistill").suite("table3").paper("table3", t3, "DETRDistill", null)
                .method("detrdistill").preset("paper").teacher(teacher()).ap(0.445, 0.266, 0.474, 0.611)
                .history(3).build());
        out.add(cell("adamixer-baseline").suite("table7").scale(Scale.SMOKE).paper("table7", null, "baseline", null)
                .epochs(1).ap(0.010, 0.0, 0.02, 0.03).build());
        out.add(cell("adamixer-progressive").suite("table7").scale(Scale.SMOKE)
                .paper("table7", null, "progressive", null).method("detrdistill").preset("paper").epochs(1)
                .ap(0.012, 0.0, 0.025, 0.02).build());
        out.add(cell("adamixer-baseline").suite("table1").paper("table1", null, "baseline", null)
                .ap(0.420, 0.250, 0.445, 0.580).history(12).build());
        out.add(cell("adamixer-fgd").suite("table1").paper("table1", null, "FGD", null).method("fgd")
                .teacher(teacher()).ap(0.405, 0.240, 0.430, 0.570).history(12).build());
        out.add(cell("deformable-student").suite("clockdistill").paper(null, null, "student", null)
                .detector("deformable-detr").epochs(50).ap(0.300, 0.150, 0.330, 0.420).build());
        out.add(cell("deformable-clockdistill").suite("clockdistill").paper(null, null, "CLoCKDistill", null)
                .method("clockdistill").detector("deformable-detr").epochs(50).teacher(teacher())
                .ap(0.310, 0.140, 0.345, 0.430).build());
        return out;
    }

    private static Map<String, Object> teacher() {
        return new LinkedHashMap<>(Map.of("backbone", "resnet101", "queries", 100, "checkpoint", "teacher.params"));
    }
}
