package org.detrkd.datasets.eval;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.detrkd.datasets.coco.CocoAnnotation;
import org.detrkd.datasets.coco.CocoDataset;
import org.detrkd.datasets.coco.CocoDetections;
import org.detrkd.datasets.coco.CocoImage;

/**
 * A line-by-line port of pycocotools' {@code evaluateImg} and {@code accumulate} loops with lists and maps, slow and
 * simple, used as a brute-force check of the optimised evaluator on generated cases.
 */
final class NaiveCocoEval {
    private record Box(long id, double x, double y, double w, double h, double area, boolean crowd, double score) {}

    private record Img(double[] scores, long[][] dtm, boolean[][] dtIg, boolean[] gtIg) {}

    private final EvalParams p = EvalParams.coco();
    final long[] imgIds;
    final long[] catIds;
    final double[][][][][] precision; // [T][R][K][A][M]
    final double[][][][] recall; // [T][K][A][M]
    private final Map<String, List<Box>> gts = new TreeMap<>();
    private final Map<String, List<Box>> dts = new TreeMap<>();

    NaiveCocoEval(CocoDataset gt, CocoDetections dt) {
        imgIds = gt.images().stream().mapToLong(CocoImage::id).sorted().distinct().toArray();
        catIds = gt.categories().stream().mapToLong(c -> c.id()).sorted().distinct().toArray();
        for (CocoAnnotation a : gt.annotations()) {
            gts.computeIfAbsent(a.imageId() + "/" + a.categoryId(), k -> new ArrayList<>())
                    .add(new Box(a.id(), a.x(), a.y(), a.w(), a.h(), a.area(), a.iscrowd(), 0));
        }
        for (int i = 0; i < dt.size(); i++) {
            dts.computeIfAbsent(dt.imageId(i) + "/" + dt.categoryId(i), k -> new ArrayList<>())
                    .add(new Box(i + 1, dt.x(i), dt.y(i), dt.w(i), dt.h(i), dt.w(i) * dt.h(i), false, dt.score(i)));
        }
        int numT = p.numIou();
        int numK = catIds.length;
        precision = new double[numT][p.numRecall()][numK][p.numAreas()][p.numMaxDets()];
        recall = new double[numT][numK][p.numAreas()][p.numMaxDets()];
        for (int k = 0; k < numK; k++) {
            for (int a = 0; a < p.numAreas(); a++) {
                List<Img> e = new ArrayList<>();
                for (long img : imgIds) {
                    Img r = evaluateImg(img, catIds[k], a);
                    if (r != null) {
                        e.add(r);
                    }
                }
                for (int m = 0; m < p.numMaxDets(); m++) {
                    accumulate(e, k, a, m);
                }
            }
        }
    }

    private Img evaluateImg(long img, long cat, int a) {
        List<Box> gt = gts.getOrDefault(img + "/" + cat, List.of());
        List<Box> dt = new ArrayList<>(dts.getOrDefault(img + "/" + cat, List.of()));
        if (gt.isEmpty() && dt.isEmpty()) {
            return null;
        }
        double lo = p.areaLo(a);
        double hi = p.areaHi(a);
        List<Box> g = new ArrayList<>(gt);
        g.sort(Comparator.comparingInt(b -> ignored(b, lo, hi) ? 1 : 0)); // List.sort is stable
        dt.sort(Comparator.comparingDouble(b -> -b.score()));
        List<Box> d = dt.subList(0, Math.min(dt.size(), p.maxDetLast()));
        int numT = p.numIou();
        long[][] gtm = new long[numT][g.size()];
        long[][] dtm = new long[numT][d.size()];
        boolean[][] dtIg = new boolean[numT][d.size()];
        boolean[] gtIg = new boolean[g.size()];
        for (int j = 0; j < g.size(); j++) {
            gtIg[j] = ignored(g.get(j), lo, hi);
        }
        for (int t = 0; t < numT; t++) {
            for (int di = 0; di < d.size(); di++) {
                double iou = Math.min(p.iouThr(t), 1 - 1e-10);
                int m = -1;
                for (int gi = 0; gi < g.size(); gi++) {
                    if (gtm[t][gi] > 0 && !g.get(gi).crowd()) {
                        continue;
                    }
                    if (m > -1 && !gtIg[m] && gtIg[gi]) {
                        break;
                    }
                    double v = iou(d.get(di), g.get(gi));
                    if (v < iou) {
                        continue;
                    }
                    iou = v;
                    m = gi;
                }
                if (m == -1) {
                    continue;
                }
                dtIg[t][di] = gtIg[m];
                dtm[t][di] = g.get(m).id();
                gtm[t][m] = d.get(di).id();
            }
            for (int di = 0; di < d.size(); di++) {
                double area = d.get(di).area();
                if (dtm[t][di] == 0 && (area < lo || area > hi)) {
                    dtIg[t][di] = true;
                }
            }
        }
        double[] scores = d.stream().mapToDouble(Box::score).toArray();
        return new Img(scores, dtm, dtIg, gtIg);
    }

    private static boolean ignored(Box g, double lo, double hi) {
        return g.crowd() || g.area() < lo || g.area() > hi;
    }

    private static double iou(Box d, Box g) {
        double w = Math.min(d.w() + d.x(), g.w() + g.x()) - Math.max(d.x(), g.x());
        if (w <= 0) {
            return 0;
        }
        double h = Math.min(d.h() + d.y(), g.h() + g.y()) - Math.max(d.y(), g.y());
        if (h <= 0) {
            return 0;
        }
        double i = w * h;
        double da = d.w() * d.h();
        return i / (g.crowd() ? da : da + g.w() * g.h() - i);
    }

    private void accumulate(List<Img> e, int k, int a, int m) {
        int numT = p.numIou();
        int maxDet = p.maxDet(m);
        for (int t = 0; t < numT; t++) {
            for (int r = 0; r < p.numRecall(); r++) {
                precision[t][r][k][a][m] = -1;
            }
            recall[t][k][a][m] = -1;
        }
        int npig = 0;
        for (Img img : e) {
            for (boolean ig : img.gtIg()) {
                npig += ig ? 0 : 1;
            }
        }
        if (e.isEmpty() || npig == 0) {
            return;
        }
        List<Integer> order = new ArrayList<>();
        List<double[]> flat = new ArrayList<>();
        for (Img img : e) {
            for (int d = 0; d < Math.min(maxDet, img.scores().length); d++) {
                double[] row = new double[1 + 2 * numT];
                row[0] = img.scores()[d];
                for (int t = 0; t < numT; t++) {
                    row[1 + t] = img.dtm()[t][d] != 0 ? 1 : 0;
                    row[1 + numT + t] = img.dtIg()[t][d] ? 1 : 0;
                }
                order.add(flat.size());
                flat.add(row);
            }
        }
        order.sort(Comparator.comparingDouble(i -> -flat.get(i)[0]));
        int nd = order.size();
        for (int t = 0; t < numT; t++) {
            double[] rc = new double[nd];
            double[] pr = new double[nd];
            double tp = 0;
            double fp = 0;
            for (int i = 0; i < nd; i++) {
                double[] row = flat.get(order.get(i));
                boolean matched = row[1 + t] != 0;
                boolean ig = row[1 + numT + t] != 0;
                tp += matched && !ig ? 1 : 0;
                fp += !matched && !ig ? 1 : 0;
                rc[i] = tp / npig;
                pr[i] = tp / (fp + tp + Math.ulp(1.0));
            }
            recall[t][k][a][m] = nd > 0 ? rc[nd - 1] : 0;
            for (int i = nd - 1; i > 0; i--) {
                if (pr[i] > pr[i - 1]) {
                    pr[i - 1] = pr[i];
                }
            }
            for (int r = 0; r < p.numRecall(); r++) {
                int lo = 0;
                int hi = nd; // numpy searchsorted side='left'
                while (lo < hi) {
                    int mid = (lo + hi) >>> 1;
                    if (rc[mid] < p.recThr(r)) {
                        lo = mid + 1;
                    } else {
                        hi = mid;
                    }
                }
                precision[t][r][k][a][m] = lo < nd ? pr[lo] : 0;
            }
        }
    }
}
