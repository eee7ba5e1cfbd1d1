package org.detrkd.datasets.djl;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.dataset.Record;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import javax.imageio.ImageIO;
import org.detrkd.datasets.coco.CocoAnnotation;
import org.detrkd.datasets.coco.CocoCategory;
import org.detrkd.datasets.coco.CocoDataset;
import org.detrkd.datasets.coco.CocoImage;
import org.detrkd.datasets.coco.CocoJsonWriter;
import org.detrkd.datasets.djl.augment.Augmentation;
import org.detrkd.datasets.djl.augment.Augmentations;

/**
 * Manual timing of host-side batch preparation (not a test): 64 noisy 128x128 PNGs with 5 boxes each, batches of
 * 16 made with {@code get} + {@link DetectionBatchifier}; prints median milliseconds per batch.
 * Run with {@code -Dai.djl.pytorch.num_threads=1}.
 */
public final class DatasetTiming {
    private DatasetTiming() {}

    public static void main(String[] args) throws Exception {
        Path root = Files.createTempDirectory("timing");
        writeFolder(root, 64, 128);
        Augmentation train = Augmentations.detrTrain(Augmentations.range(96, 128, 8), 213, List.of(100, 125), 96,
                128);
        Augmentation eval = Augmentations.evalResize(128, 213);
        for (String mode : List.of("none", "eval", "train")) {
            for (boolean cache : new boolean[] {false, true}) {
                Augmentation aug = mode.equals("none") ? Augmentation.NONE : mode.equals("eval") ? eval : train;
                CocoDetectionDataset ds = CocoDetectionDataset.builder().setRoot(root).setSplit("train")
                        .setSampling(16, false).optAugmentation(aug).optCacheImages(cache).optSeed(1).build();
                time(ds, mode + (cache ? " cached" : " decode"));
                if (cache) {
                    hostOnly(ds, mode);
                }
            }
        }
        CocoDetectionDatasetTest.delete(root);
    }

    private static void time(CocoDetectionDataset ds, String name) {
        DetectionBatchifier batchifier = new DetectionBatchifier();
        int rounds = 100;
        double[] total = new double[rounds];
        double[] items = new double[rounds];
        double[] batch = new double[rounds];
        double[] cpu = new double[rounds];
        java.lang.management.ThreadMXBean bean = java.lang.management.ManagementFactory.getThreadMXBean();
        try (NDManager root = NDManager.newBaseManager()) {
            for (int r = 0; r < rounds; r++) {
                ds.setEpoch(r);
                try (NDManager m = root.newSubManager()) {
                    long c0 = bean.getCurrentThreadCpuTime();
                    long t0 = System.nanoTime();
                    NDList[] data = new NDList[16];
                    NDList[] labels = new NDList[16];
                    for (int i = 0; i < 16; i++) {
                        Record rec = ds.get(m, (r * 16L + i) % ds.size());
                        data[i] = rec.getData();
                        labels[i] = rec.getLabels();
                    }
                    long t1 = System.nanoTime();
                    NDList d = batchifier.batchify(data);
                    NDList l = batchifier.batchify(labels);
                    long t2 = System.nanoTime();
                    cpu[r] = (bean.getCurrentThreadCpuTime() - c0) / 1e6;
                    if (d.size() != 2 || l.size() != 6) {
                        throw new IllegalStateException("unexpected batch");
                    }
                    items[r] = (t1 - t0) / 1e6;
                    batch[r] = (t2 - t1) / 1e6;
                    total[r] = (t2 - t0) / 1e6;
                }
            }
        }
        int warm = 10;
        System.out.printf(Locale.ROOT, "%-14s batch of 16: thread CPU median %.2f ms (min %.2f); wall median %.2f ms "
                + "(items %.2f, batchify %.2f), min %.2f%n", name, median(cpu, warm),
                Arrays.stream(cpu, warm, cpu.length).min().orElse(0), median(total, warm), median(items, warm),
                median(batch, warm), Arrays.stream(total, warm, total.length).min().orElse(0));
    }

    private static void hostOnly(CocoDetectionDataset ds, String name) {
        java.lang.management.ThreadMXBean bean = java.lang.management.ManagementFactory.getThreadMXBean();
        double[] per = new double[30];
        for (int r = 0; r < per.length; r++) {
            ds.setEpoch(r);
            long c0 = bean.getCurrentThreadCpuTime();
            for (int i = 0; i < 64; i++) {
                ds.sample(i);
            }
            per[r] = (bean.getCurrentThreadCpuTime() - c0) / 1e3 / 64;
        }
        System.out.printf(Locale.ROOT, "%-14s host sample() only: median %.1f us per image%n", name, median(per, 10));
    }

    private static double median(double[] v, int skip) {
        double[] s = Arrays.copyOfRange(v, skip, v.length);
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private static void writeFolder(Path root, int n, int size) throws Exception {
        Files.createDirectories(root.resolve("train"));
        Random rnd = new Random(0);
        List<CocoImage> images = new ArrayList<>();
        List<CocoAnnotation> anns = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_3BYTE_BGR);
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    int v = (x + y + rnd.nextInt(32)) & 0xFF;
                    img.setRGB(x, y, (v << 16) | ((255 - v) << 8) | (v / 2));
                }
            }
            String file = "img" + k + ".png";
            ImageIO.write(img, "png", root.resolve("train").resolve(file).toFile());
            images.add(new CocoImage(k + 1, file, size, size));
            for (int b = 0; b < 5; b++) {
                double x = rnd.nextInt(size - 20);
                double y = rnd.nextInt(size - 20);
                anns.add(new CocoAnnotation(anns.size() + 1, k + 1, 1 + rnd.nextInt(3), x, y, 12 + rnd.nextInt(8),
                        12 + rnd.nextInt(8), 200, false));
            }
        }
        List<CocoCategory> cats = List.of(new CocoCategory(1, "a", ""), new CocoCategory(2, "b", ""),
                new CocoCategory(3, "c", ""));
        CocoJsonWriter.write(new CocoDataset(images, cats, anns),
                root.resolve("annotations").resolve("instances_train.json"));
    }
}
