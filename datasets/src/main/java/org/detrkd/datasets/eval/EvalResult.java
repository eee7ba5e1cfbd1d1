package org.detrkd.datasets.eval;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Result of a COCO bbox evaluation: the 12 summary statistics in pycocotools' order (AP, AP50, AP75, APs, APm, APl,
 * AR1, AR10, AR100, ARs, ARm, ARl; -1 where nothing is defined), the same 12 per category, and the full
 * {@code precision[T, R, K, A, M]} and {@code recall[T, K, A, M]} arrays (T IoU thresholds, R recall thresholds,
 * K categories in sorted-id order, A area ranges, M max-detection settings; -1 where a category has no GT).
 */
public final class EvalResult {
    /** Statistic names in pycocotools' order. */
    public static final List<String> STAT_NAMES = Summary.NAMES;

    /**
     * One category's statistics.
     *
     * @param id category id
     * @param name category name
     * @param stats the 12 statistics restricted to this category
     */
    public record CategoryStats(long id, String name, double[] stats) {
        /** The statistic called {@code statName} ({@code "AP"}, {@code "AR100"}, ...). */
        public double stat(String statName) {
            return stats[index(statName)];
        }
    }

    private final EvalParams params;
    private final long[] catIds;
    private final double[] precision;
    private final double[] recall;
    private final double[] stats;
    private final List<CategoryStats> perCategory;
    private final Map<String, Object> counts;

    EvalResult(Evaluation ev, double[] precision, double[] recall) {
        this.params = ev.params;
        this.catIds = ev.index.catIds.clone();
        this.precision = precision;
        this.recall = recall;
        int k = catIds.length;
        this.stats = Summary.compute(params, k, precision, recall, 0, k);
        List<CategoryStats> per = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            per.add(new CategoryStats(catIds[i], ev.index.catNames[i],
                    Summary.compute(params, k, precision, recall, i, i + 1)));
        }
        this.perCategory = List.copyOf(per);
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("images", ev.numImages());
        c.put("categories", ev.numCategories());
        c.put("gt_boxes", ev.numGt());
        c.put("detections", ev.numDetections());
        c.put("dropped_detections", ev.droppedDetections());
        this.counts = c;
    }

    private static int index(String statName) {
        int i = STAT_NAMES.indexOf(statName);
        if (i < 0) {
            throw new IllegalArgumentException("unknown statistic " + statName + "; known: " + STAT_NAMES);
        }
        return i;
    }

    /** The 12 statistics (a copy). */
    public double[] stats() {
        return stats.clone();
    }

    /** The statistic called {@code statName}. */
    public double stat(String statName) {
        return stats[index(statName)];
    }

    /** Per-category statistics, categories in sorted-id order. */
    public List<CategoryStats> perCategory() {
        return perCategory;
    }

    public EvalParams params() {
        return params;
    }

    /** Number of categories (K). */
    public int numCategories() {
        return catIds.length;
    }

    /** The id of category index {@code k}. */
    public long categoryId(int k) {
        return catIds[k];
    }

    /** {@code precision[t, r, k, a, m]}. */
    public double precision(int t, int r, int k, int a, int m) {
        int numR = params.numRecall();
        return precision[(((t * numR + r) * catIds.length + k) * params.numAreas() + a) * params.numMaxDets() + m];
    }

    /** {@code recall[t, k, a, m]}. */
    public double recall(int t, int k, int a, int m) {
        return recall[((t * catIds.length + k) * params.numAreas() + a) * params.numMaxDets() + m];
    }

    /** pycocotools' summary, 12 lines, e.g. {@code  Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | ...}. */
    public String summaryText() {
        StringBuilder sb = new StringBuilder();
        List<Summary.Stat> sel = Summary.stats(params);
        for (int i = 0; i < sel.size(); i++) {
            Summary.Stat s = sel.get(i);
            String title = s.ap() ? "Average Precision" : "Average Recall";
            String iou = s.iouThr() == null
                    ? fixed(params.iouThr(0), 2) + ":" + fixed(params.iouThr(params.numIou() - 1), 2)
                    : fixed(s.iouThr(), 2);
            sb.append(String.format(Locale.ROOT, " %-18s %s @[ IoU=%-9s | area=%6s | maxDets=%3d ] = %s%n",
                    title, s.ap() ? "(AP)" : "(AR)", iou, s.area(), s.maxDets(), fixed(stats[i], 3)));
        }
        return sb.toString();
    }

    /** A per-category table: id, name, then the 12 statistics with 3 decimals. */
    public String perCategoryTable() {
        int nameWidth = 4;
        for (CategoryStats c : perCategory) {
            nameWidth = Math.max(nameWidth, c.name() == null ? 0 : c.name().length());
        }
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%6s  %-" + nameWidth + "s", "id", "name"));
        for (String n : STAT_NAMES) {
            sb.append(String.format(Locale.ROOT, " %6s", n));
        }
        sb.append(System.lineSeparator());
        for (CategoryStats c : perCategory) {
            sb.append(String.format(Locale.ROOT, "%6d  %-" + nameWidth + "s", c.id(), c.name()));
            for (double v : c.stats()) {
                sb.append(String.format(Locale.ROOT, " %6s", fixed(v, 3)));
            }
            sb.append(System.lineSeparator());
        }
        return sb.toString();
    }

    /**
     * A JSON-ready tree: {@code stats} (12 numbers), {@code stats_names}, {@code per_category} (id, name and the 12
     * statistics under lower-case names {@code ap, ap50, ..., arl}) and the counts (images, categories, gt_boxes,
     * detections, dropped_detections).
     */
    public Map<String, Object> toJson() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("stats", toList(stats));
        root.put("stats_names", STAT_NAMES);
        List<Map<String, Object>> per = new ArrayList<>();
        for (CategoryStats c : perCategory) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("id", c.id());
            e.put("name", c.name());
            for (int i = 0; i < STAT_NAMES.size(); i++) {
                e.put(STAT_NAMES.get(i).toLowerCase(Locale.ROOT), c.stats()[i]);
            }
            per.add(e);
        }
        root.put("per_category", per);
        root.putAll(counts);
        return root;
    }

    private static List<Double> toList(double[] v) {
        List<Double> l = new ArrayList<>(v.length);
        for (double d : v) {
            l.add(d);
        }
        return l;
    }

    /** Python's {@code '{:0.Nf}'.format(v)}: the exact binary value rounded half-even (Java's %f is not). */
    static String fixed(double v, int decimals) {
        return new BigDecimal(v).setScale(decimals, RoundingMode.HALF_EVEN).toPlainString();
    }
}
