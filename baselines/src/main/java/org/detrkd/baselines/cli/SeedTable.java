package org.detrkd.baselines.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The multi-seed table of {@code detrkd compare --seeds}: per method the mean and sample standard deviation of AP,
 * AP50, APs, APm and APl over the seeds, and the change of AP against the KD-off control {@code none} paired by seed
 * (method and control share the seed, so data order and initialisation are common and the paired difference is the
 * honest measure of what the method changed), with how many seeds it went up. Written as text and as
 * {@code OUT/compare.json}.
 */
final class SeedTable {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    /** Indices into the 12 COCO stats shown: AP, AP50, APs, APm, APl. */
    private static final int[] SHOWN = {0, 1, 3, 4, 5};
    private static final String[] NAMES = {"AP", "AP50", "APs", "APm", "APl"};

    private SeedTable() {}

    /** Mean and sample standard deviation (NaN for one value). */
    record Spread(double mean, double sd, int n) {
        static Spread of(double[] v) {
            double m = 0;
            for (double x : v) {
                m += x;
            }
            m /= v.length;
            double ss = 0;
            for (double x : v) {
                ss += (x - m) * (x - m);
            }
            return new Spread(m, v.length > 1 ? Math.sqrt(ss / (v.length - 1)) : Double.NaN, v.length);
        }

        String text() {
            return Double.isNaN(sd) ? String.format(Locale.ROOT, "%.4f", mean)
                    : String.format(Locale.ROOT, "%.4f +/- %.4f", mean, sd);
        }
    }

    /**
     * @param runs per method (the control {@code none} first) its rows in seed order
     * @param stat index into the 12 COCO stats
     * @param method the method
     * @return the stat's spread over the seeds
     */
    static Spread stat(Map<String, List<CompareCommand.Row>> runs, String method, int stat) {
        return Spread.of(runs.get(method).stream().mapToDouble(r -> r.stats()[stat]).toArray());
    }

    /** @return the paired AP change against the first method (the control) */
    static double[] pairedDelta(Map<String, List<CompareCommand.Row>> runs, String method) {
        List<CompareCommand.Row> control = runs.values().iterator().next();
        List<CompareCommand.Row> rows = runs.get(method);
        double[] d = new double[rows.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = rows.get(i).stats()[0] - control.get(i).stats()[0];
        }
        return d;
    }

    private static double secondsPerStep(List<CompareCommand.Row> rows) {
        double s = 0;
        long n = 0;
        for (CompareCommand.Row r : rows) {
            s += r.trainSeconds();
            n += r.steps();
        }
        return n == 0 ? Double.NaN : s / n;
    }

    /**
     * @param seeds the seeds, in run order
     * @param runs per method (the control first) its rows in seed order
     * @return the text table
     */
    static String text(List<Long> seeds, Map<String, List<CompareCommand.Row>> runs) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "seeds %s; mean +/- sample sd over seeds%n", seeds));
        sb.append(String.format(Locale.ROOT, "%-14s %-17s %-17s %7s %7s %7s %-24s %8s %7s%n", "method", "AP", "AP50",
                "APs", "APm", "APl", "AP - none (paired)", "ms/step", "x none"));
        double ref = secondsPerStep(runs.values().iterator().next());
        boolean first = true;
        for (Map.Entry<String, List<CompareCommand.Row>> e : runs.entrySet()) {
            String m = e.getKey();
            String delta = "-";
            if (!first) {
                double[] d = pairedDelta(runs, m);
                long up = java.util.Arrays.stream(d).filter(x -> x > 0).count();
                delta = String.format(Locale.ROOT, "%+.4f", Spread.of(d).mean())
                        + (d.length > 1 ? String.format(Locale.ROOT, " +/- %.4f", Spread.of(d).sd()) : "")
                        + String.format(Locale.ROOT, " (%d/%d up)", up, d.length);
            }
            double sps = secondsPerStep(e.getValue());
            sb.append(String.format(Locale.ROOT, "%-14s %-17s %-17s %7.4f %7.4f %7.4f %-24s %8.1f %7.2f%n", m,
                    stat(runs, m, 0).text(), stat(runs, m, 1).text(), stat(runs, m, 3).mean(),
                    stat(runs, m, 4).mean(), stat(runs, m, 5).mean(), delta, 1000 * sps, sps / ref));
            first = false;
        }
        sb.append("none = KD-off control (the plain student; its step includes the frozen teacher's forward). "
                + "Step times are wall-clock on this machine.\n");
        return sb.toString();
    }

    /**
     * Writes {@code OUT/compare.json}: seeds, and per method its runs, the spread of each stat and the paired change.
     *
     * @param out the compare folder
     * @param teacher the teacher's run folder
     * @param seeds the seeds
     * @param runs per method (the control first) its rows in seed order
     * @throws IOException if writing fails
     */
    static void write(Path out, Path teacher, List<Long> seeds, Map<String, List<CompareCommand.Row>> runs)
            throws IOException {
        List<Map<String, Object>> methods = new ArrayList<>();
        boolean first = true;
        for (Map.Entry<String, List<CompareCommand.Row>> e : runs.entrySet()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("method", e.getKey());
            List<Map<String, Object>> list = new ArrayList<>();
            for (CompareCommand.Row r : e.getValue()) {
                list.add(CompareCommand.toMap(r));
            }
            m.put("runs", list);
            for (int i = 0; i < SHOWN.length; i++) {
                Spread s = stat(runs, e.getKey(), SHOWN[i]);
                m.put(NAMES[i] + "_mean", s.mean());
                m.put(NAMES[i] + "_sd", Double.isNaN(s.sd()) ? null : s.sd());
            }
            if (!first) {
                double[] d = pairedDelta(runs, e.getKey());
                m.put("AP_minus_none", d);
                m.put("AP_minus_none_mean", Spread.of(d).mean());
                m.put("AP_minus_none_sd", d.length > 1 ? Spread.of(d).sd() : null);
            }
            first = false;
            methods.add(m);
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("teacher", teacher.toAbsolutePath().normalize().toString());
        doc.put("seeds", seeds);
        doc.put("methods", methods);
        Files.createDirectories(out);
        Path tmp = Files.createTempFile(out, ".compare-", ".json");
        JSON.writeValue(tmp.toFile(), doc);
        Files.move(tmp, out.resolve("compare.json"), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
