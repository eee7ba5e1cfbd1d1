package org.detrkd.datasets.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.detrkd.datasets.coco.CocoAnnotation;
import org.detrkd.datasets.coco.CocoCategory;
import org.detrkd.datasets.coco.CocoDataset;
import org.detrkd.datasets.coco.CocoDetections;
import org.detrkd.datasets.coco.CocoImage;

/**
 * A generated COCO evaluation case shaped like val2017 with a DETR-style detector's output, for timing the
 * evaluator: COCO's 80 category ids (with their gaps) and a skewed class frequency, about 7 GT boxes per image with
 * sizes spread over small, medium and large, an {@code area} below the box area as for segmentations, about 1% crowds;
 * about 98 detections per image: jittered copies of most GT boxes (some with a confused class, some duplicated) with
 * high scores, and false positives with low, heavy-tailed scores. Scores have 3 decimals (so ties happen) and boxes 2,
 * as in real results files. Fully determined by the seed.
 *
 * @param gt the ground truth
 * @param detections the detections, image by image
 */
public record SyntheticEvalCase(CocoDataset gt, CocoDetections detections) {
    /** COCO's 80 category ids. */
    static final int[] COCO_IDS = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24,
        25, 27, 28, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55,
        56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 67, 70, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 84, 85, 86, 87,
        88, 89, 90};
    private static final int[][] SIZES = {{640, 480}, {480, 640}, {640, 427}, {500, 375}, {612, 612}, {640, 360}};

    /** Generates {@code images} images from {@code seed}. */
    public static SyntheticEvalCase generate(int images, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<CocoImage> imgs = new ArrayList<>(images);
        List<CocoAnnotation> anns = new ArrayList<>(images * 8);
        CocoDetections.Builder dets = CocoDetections.builder(images * 100);
        for (int i = 0; i < images; i++) {
            int[] size = SIZES[rnd.nextInt(SIZES.length)];
            long imageId = 100_000L + 7L * i;
            imgs.add(new CocoImage(imageId, String.format(java.util.Locale.ROOT, "%012d.jpg", imageId),
                    size[0], size[1]));
            int firstAnn = anns.size();
            int numGt = 1 + rnd.nextInt(13);
            for (int j = 0; j < numGt; j++) {
                double[] b = randomBox(rnd, size[0], size[1]);
                double area = round(b[2] * b[3] * (0.55 + 0.4 * rnd.nextDouble()), 2);
                anns.add(new CocoAnnotation(anns.size() + 1L, imageId, COCO_IDS[skewedCategory(rnd)],
                        b[0], b[1], b[2], b[3], area, rnd.nextDouble() < 0.01));
            }
            int target = 90 + rnd.nextInt(17);
            int start = dets.size();
            for (int j = firstAnn; j < anns.size() && dets.size() - start < target; j++) {
                addHits(rnd, anns.get(j), size, dets);
            }
            while (dets.size() - start < target) {
                long cat = rnd.nextBoolean() ? anns.get(firstAnn + rnd.nextInt(numGt)).categoryId()
                        : COCO_IDS[skewedCategory(rnd)];
                double[] b = randomBox(rnd, size[0], size[1]);
                double u = rnd.nextDouble();
                dets.add(imageId, cat, b[0], b[1], b[2], b[3], round(0.001 + 0.6 * u * u * u, 3));
            }
        }
        List<CocoCategory> cats = new ArrayList<>();
        for (int id : COCO_IDS) {
            cats.add(new CocoCategory(id, "class_" + id, ""));
        }
        return new SyntheticEvalCase(new CocoDataset(imgs, cats, anns), dets.build());
    }

    /** Jittered detections of one GT box: found 85% of the time, duplicated 30%, class confused 8%. */
    private static void addHits(SplittableRandom rnd, CocoAnnotation a, int[] size, CocoDetections.Builder dets) {
        if (rnd.nextDouble() >= 0.85) {
            return;
        }
        int copies = rnd.nextDouble() < 0.3 ? 2 : 1;
        for (int c = 0; c < copies; c++) {
            double noise = c == 0 ? 0.06 : 0.2;
            double w = Math.max(1, a.w() * Math.exp(gauss(rnd) * noise));
            double h = Math.max(1, a.h() * Math.exp(gauss(rnd) * noise));
            double x = clamp(a.x() + gauss(rnd) * noise * a.w(), 0, size[0] - 1);
            double y = clamp(a.y() + gauss(rnd) * noise * a.h(), 0, size[1] - 1);
            long cat = rnd.nextDouble() < 0.08 ? COCO_IDS[skewedCategory(rnd)] : a.categoryId();
            double score = c == 0 ? 0.25 + 0.75 * Math.pow(rnd.nextDouble(), 0.6) : 0.05 + 0.4 * rnd.nextDouble();
            dets.add(a.imageId(), cat, round(x, 2), round(y, 2), round(w, 2), round(h, 2), round(score, 3));
        }
    }

    /** Category index with a long-tailed frequency (the first, "person"-like, most frequent). */
    private static int skewedCategory(SplittableRandom rnd) {
        double u = rnd.nextDouble();
        return Math.min(COCO_IDS.length - 1, (int) (COCO_IDS.length * u * u));
    }

    /** A box with a log-uniform size from 6 px to 90% of the short side, an aspect ratio in [0.5, 2], inside. */
    private static double[] randomBox(SplittableRandom rnd, int width, int height) {
        double maxSide = 0.9 * Math.min(width, height);
        double s = Math.exp(Math.log(6) + rnd.nextDouble() * (Math.log(maxSide) - Math.log(6)));
        double ar = Math.exp((rnd.nextDouble() - 0.5) * 1.4);
        double w = Math.min(width - 1, s * Math.sqrt(ar));
        double h = Math.min(height - 1, s / Math.sqrt(ar));
        double x = rnd.nextDouble() * (width - w);
        double y = rnd.nextDouble() * (height - h);
        return new double[] {round(x, 2), round(y, 2), round(w, 2), round(h, 2)};
    }

    private static double gauss(SplittableRandom rnd) {
        double u1 = 1 - rnd.nextDouble();
        double u2 = rnd.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }

    private static double clamp(double v, double lo, double hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    private static double round(double v, int decimals) {
        double f = decimals == 2 ? 100 : 1000;
        return Math.rint(v * f) / f;
    }
}
