package org.detrkd.detr.pretrain;

import org.detrkd.datasets.coco.CocoAnnotation;
import org.detrkd.datasets.coco.CocoCategory;
import org.detrkd.datasets.coco.CocoDataset;
import org.detrkd.datasets.coco.CocoFolder;
import org.detrkd.datasets.coco.CocoImage;
import org.detrkd.datasets.coco.CocoJsonReader;
import org.detrkd.datasets.djl.CocoDetectionDataset;
import org.detrkd.datasets.djl.ImageDecoder;
import org.detrkd.datasets.io.InputException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Square crops of the ground-truth objects of a COCO-format split, for pretraining a backbone as a classifier (the
 * detection paper's backbones are ImageNet classifiers; here the "ImageNet" is the objects of the generated data).
 *
 * <p>A crop is a square window around a box, {@code max(w, h)} times a context factor on a side, bilinearly resampled
 * to {@code cropSize x cropSize} and normalised with the ImageNet mean and std as {@link CocoDetectionDataset} does
 * (outside the image: the mean, i.e. 0 after normalisation). Class labels are the category's index in id order
 * ({@code 0 .. K-1}); label {@code K} is background: a random window whose centre lies in no box. Training crops are
 * jittered (context 1.2-1.6, centre shift up to 10% of the side, horizontal flip) from a generator seeded by {@code
 * (seed, step)}, so a batch depends only on those two; evaluation crops have a fixed context of 1.4 and no jitter.
 *
 * <p>Images are decoded once and kept as planar bytes ({@code 3 * H * W} per image).
 */
public final class CropSampler {

    /** Context factor of evaluation crops. */
    public static final double EVAL_CONTEXT = 1.4;
    /** Smallest crop window side in pixels. */
    public static final double MIN_SIDE = 12;

    private final int cropSize;
    private final int numClasses;
    private final double backgroundShare;
    private final List<ImageDecoder.Decoded> images = new ArrayList<>();
    private final List<List<double[]>> boxesPerImage = new ArrayList<>();
    /** One row per object: image index, label, x, y, w, h. */
    private final List<double[]> objects = new ArrayList<>();

    /**
     * @param data a COCO-format dataset folder
     * @param split the split to read (e.g. {@code train})
     * @param cropSize side of the crops in pixels
     * @param backgroundShare share of background crops in a training batch (0 for none)
     * @throws InputException if the split cannot be read or holds no object
     */
    public CropSampler(Path data, String split, int cropSize, double backgroundShare) {
        this.cropSize = cropSize;
        this.backgroundShare = backgroundShare;
        CocoFolder.Split s = CocoFolder.open(data).split(split);
        CocoDataset gt = CocoJsonReader.read(s.annotations());
        List<Long> ids = gt.categories().stream().map(CocoCategory::id).sorted().toList();
        numClasses = ids.size();
        Map<Long, Integer> imageIndex = new HashMap<>();
        for (CocoImage im : gt.images()) {
            imageIndex.put(im.id(), images.size());
            images.add(ImageDecoder.read(s.images().resolve(im.fileName())));
            boxesPerImage.add(new ArrayList<>());
        }
        for (CocoAnnotation a : gt.annotations()) {
            Integer i = imageIndex.get(a.imageId());
            if (i == null || a.w() < 1 || a.h() < 1 || a.iscrowd()) {
                continue;
            }
            objects.add(new double[] {i, ids.indexOf(a.categoryId()), a.x(), a.y(), a.w(), a.h()});
            boxesPerImage.get(i).add(new double[] {a.x(), a.y(), a.w(), a.h()});
        }
        if (objects.isEmpty() || numClasses == 0) {
            throw new InputException(s.annotations(), "", "no object to crop for backbone pretraining");
        }
    }

    /** @return K, the object classes (labels 0..K-1; K is background) */
    public int numClasses() {
        return numClasses;
    }

    /** @return the number of objects */
    public int objects() {
        return objects.size();
    }

    /** @return crop side in pixels */
    public int cropSize() {
        return cropSize;
    }

    /**
     * A batch of crops.
     *
     * @param pixels {@code [B, 3, S, S]} normalised, row-major
     * @param labels {@code [B]} class indices, K = background
     */
    public record Batch(float[] pixels, int[] labels) {
        /** @return the number of crops */
        public int size() {
            return labels.length;
        }
    }

    /**
     * @param seed the run seed
     * @param step the step (the batch depends only on seed and step)
     * @param batchSize crops per batch
     * @return jittered training crops of random objects, a {@code backgroundShare} of them background
     */
    public Batch trainingBatch(long seed, long step, int batchSize) {
        SplittableRandom rnd = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + step);
        float[] px = new float[batchSize * 3 * cropSize * cropSize];
        int[] labels = new int[batchSize];
        for (int b = 0; b < batchSize; b++) {
            boolean flip = rnd.nextBoolean();
            if (rnd.nextDouble() < backgroundShare) {
                int img = rnd.nextInt(images.size());
                double[] w = backgroundWindow(rnd, img);
                render(img, w[0], w[1], w[2], flip, px, b);
                labels[b] = numClasses;
            } else {
                double[] o = objects.get(rnd.nextInt(objects.size()));
                double side = Math.max(MIN_SIDE, Math.max(o[4], o[5]) * (1.2 + 0.4 * rnd.nextDouble()));
                double cx = o[2] + o[4] / 2 + (rnd.nextDouble() - 0.5) * 0.2 * side;
                double cy = o[3] + o[5] / 2 + (rnd.nextDouble() - 0.5) * 0.2 * side;
                render((int) o[0], cx, cy, side, flip, px, b);
                labels[b] = (int) o[1];
            }
        }
        return new Batch(px, labels);
    }

    /**
     * @param from first object index
     * @param count at most this many objects
     * @return un-jittered crops of objects {@code from .. from + count - 1} (no background)
     */
    public Batch evalBatch(int from, int count) {
        int n = Math.max(0, Math.min(count, objects.size() - from));
        float[] px = new float[n * 3 * cropSize * cropSize];
        int[] labels = new int[n];
        for (int b = 0; b < n; b++) {
            double[] o = objects.get(from + b);
            double side = Math.max(MIN_SIDE, Math.max(o[4], o[5]) * EVAL_CONTEXT);
            render((int) o[0], o[2] + o[4] / 2, o[3] + o[5] / 2, side, false, px, b);
            labels[b] = (int) o[1];
        }
        return new Batch(px, labels);
    }

    /** @return {cx, cy, side} of a window whose centre lies in no box (the last try if none is found in 20) */
    private double[] backgroundWindow(SplittableRandom rnd, int img) {
        ImageDecoder.Decoded im = images.get(img);
        double[] w = null;
        for (int t = 0; t < 20; t++) {
            double side = 16 + rnd.nextDouble() * 48;
            w = new double[] {rnd.nextDouble() * im.width(), rnd.nextDouble() * im.height(), side};
            if (!insideAnyBox(img, w[0], w[1], side / 4)) {
                break;
            }
        }
        return w;
    }

    private boolean insideAnyBox(int img, double x, double y, double margin) {
        for (double[] b : boxesPerImage.get(img)) {
            if (x > b[0] - margin && x < b[0] + b[2] + margin && y > b[1] - margin && y < b[1] + b[3] + margin) {
                return true;
            }
        }
        return false;
    }

    /** Bilinear resampling of the window (pixel-centre convention) into slot {@code b} of {@code out}. */
    private void render(int img, double cx, double cy, double side, boolean flip, float[] out, int b) {
        ImageDecoder.Decoded im = images.get(img);
        int w = im.width();
        int h = im.height();
        byte[] src = im.planar();
        int s = cropSize;
        double scale = side / s;
        double x0 = cx - side / 2;
        double y0 = cy - side / 2;
        float[] mean = CocoDetectionDataset.IMAGENET_MEAN;
        float[] std = CocoDetectionDataset.IMAGENET_STD;
        for (int c = 0; c < 3; c++) {
            int plane = c * w * h;
            int base = ((b * 3) + c) * s * s;
            for (int i = 0; i < s; i++) {
                double sy = y0 + (i + 0.5) * scale - 0.5;
                for (int j = 0; j < s; j++) {
                    int jj = flip ? s - 1 - j : j;
                    double sx = x0 + (jj + 0.5) * scale - 0.5;
                    double v = sample(src, plane, w, h, sx, sy, mean[c] * 255.0);
                    out[base + i * s + j] = (float) ((v / 255.0 - mean[c]) / std[c]);
                }
            }
        }
    }

    private static double sample(byte[] src, int plane, int w, int h, double x, double y, double outside) {
        int xf = (int) Math.floor(x);
        int yf = (int) Math.floor(y);
        double fx = x - xf;
        double fy = y - yf;
        double v00 = pixel(src, plane, w, h, xf, yf, outside);
        double v01 = pixel(src, plane, w, h, xf + 1, yf, outside);
        double v10 = pixel(src, plane, w, h, xf, yf + 1, outside);
        double v11 = pixel(src, plane, w, h, xf + 1, yf + 1, outside);
        return (v00 * (1 - fx) + v01 * fx) * (1 - fy) + (v10 * (1 - fx) + v11 * fx) * fy;
    }

    private static double pixel(byte[] src, int plane, int w, int h, int x, int y, double outside) {
        if (x < 0 || y < 0 || x >= w || y >= h) {
            return outside;
        }
        return src[plane + y * w + x] & 0xFF;
    }
}
