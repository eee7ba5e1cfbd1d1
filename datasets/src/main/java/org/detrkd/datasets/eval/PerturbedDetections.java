package org.detrkd.datasets.eval;

import java.util.SplittableRandom;
import org.detrkd.datasets.coco.CocoAnnotation;
import org.detrkd.datasets.coco.CocoDataset;
import org.detrkd.datasets.coco.CocoDetections;
import org.detrkd.datasets.coco.CocoImage;

/**
 * Makes a detections list from ground truth by perturbing it: each non-crowd box is found with probability
 * {@code recall}, its position and size jittered by {@code noise} (relative to its size), its class replaced by another
 * with probability {@code confusion}; each image also gets {@code falsePositives} random boxes at low scores. Scores
 * fall as the jitter grows, so better-localised boxes rank first, as a trained detector's would.
 *
 * <p>This is not a detector. It exists to exercise the data, detections-file and evaluation pipeline end to end with
 * a known, tunable quality (a perfect-recall, zero-noise run scores AP 1.0), and to test evaluators.
 *
 * @param recall probability that a ground-truth box is detected, in [0, 1]
 * @param noise standard deviation of the relative jitter of centre and size, at least 0
 * @param confusion probability that a detected box gets a wrong class, in [0, 1]
 * @param falsePositives number of random false positives per image, at least 0
 */
public record PerturbedDetections(double recall, double noise, double confusion, int falsePositives) {
    /** The settings the quickstart uses: a plausible mid-quality detector. */
    public static final PerturbedDetections DEFAULT = new PerturbedDetections(0.85, 0.08, 0.05, 3);

    public PerturbedDetections {
        if (!(recall >= 0 && recall <= 1) || !(confusion >= 0 && confusion <= 1)) {
            throw new IllegalArgumentException("recall and confusion must be in [0, 1]");
        }
        if (!(noise >= 0) || falsePositives < 0) {
            throw new IllegalArgumentException("noise and falsePositives must be >= 0");
        }
    }

    /** Perturbs {@code gt}; the same seed gives the same detections. */
    public CocoDetections apply(CocoDataset gt, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        long[] categoryIds = gt.categories().stream().mapToLong(c -> c.id()).toArray();
        java.util.Map<Long, CocoImage> images = new java.util.HashMap<>();
        for (CocoImage im : gt.images()) {
            images.put(im.id(), im);
        }
        CocoDetections.Builder out = CocoDetections.builder(gt.annotations().size() + gt.images().size() * falsePositives);
        for (CocoAnnotation a : gt.annotations()) {
            CocoImage im = images.get(a.imageId());
            if (a.iscrowd() || im == null || rnd.nextDouble() >= recall) {
                continue;
            }
            double dx = gauss(rnd) * noise;
            double dy = gauss(rnd) * noise;
            double dw = gauss(rnd) * noise;
            double dh = gauss(rnd) * noise;
            double w = a.w() * Math.exp(dw);
            double h = a.h() * Math.exp(dh);
            double cx = a.x() + a.w() / 2 + dx * a.w();
            double cy = a.y() + a.h() / 2 + dy * a.h();
            double[] box = clip(cx - w / 2, cy - h / 2, w, h, im);
            if (box == null) {
                continue;
            }
            long category = a.categoryId();
            if (categoryIds.length > 1 && rnd.nextDouble() < confusion) {
                category = categoryIds[rnd.nextInt(categoryIds.length)];
            }
            double error = Math.sqrt(dx * dx + dy * dy + dw * dw + dh * dh);
            double score = Math.exp(-4 * error) * (0.6 + 0.4 * rnd.nextDouble());
            out.add(a.imageId(), category, round(box[0]), round(box[1]), round(box[2]), round(box[3]),
                    Math.rint(score * 1e4) / 1e4);
        }
        for (CocoImage im : gt.images()) {
            for (int k = 0; k < falsePositives && categoryIds.length > 0; k++) {
                double w = im.width() * (0.05 + 0.4 * rnd.nextDouble());
                double h = im.height() * (0.05 + 0.4 * rnd.nextDouble());
                double x = rnd.nextDouble() * (im.width() - w);
                double y = rnd.nextDouble() * (im.height() - h);
                double score = 0.3 * rnd.nextDouble() * rnd.nextDouble();
                out.add(im.id(), categoryIds[rnd.nextInt(categoryIds.length)], round(x), round(y), round(w),
                        round(h), Math.rint(score * 1e4) / 1e4);
            }
        }
        return out.build();
    }

    private static double[] clip(double x, double y, double w, double h, CocoImage im) {
        double x0 = Math.max(0, x);
        double y0 = Math.max(0, y);
        double x1 = Math.min(im.width(), x + w);
        double y1 = Math.min(im.height(), y + h);
        if (x1 - x0 < 1 || y1 - y0 < 1) {
            return null;
        }
        return new double[] {x0, y0, x1 - x0, y1 - y0};
    }

    private static double round(double v) {
        return Math.rint(v * 100) / 100;
    }

    private static double gauss(SplittableRandom rnd) {
        double u1 = 1 - rnd.nextDouble();
        double u2 = rnd.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }
}
