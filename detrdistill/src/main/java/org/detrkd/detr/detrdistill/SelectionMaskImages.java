package org.detrkd.detr.detrdistill;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import org.detrkd.datasets.djl.CocoDetectionDataset;
import org.detrkd.datasets.djl.DetectionBatchifier;
import org.detrkd.datasets.djl.augment.HostImage;
import org.detrkd.datasets.djl.augment.Sample;
import org.detrkd.detr.distill.DistillationInputs;
import org.detrkd.detr.engine.BatchSource;
import org.detrkd.detr.engine.DatasetBatchSource;
import org.detrkd.detr.matching.HungarianMatcher;
import org.detrkd.detr.matching.ImageTargets;
import org.detrkd.detr.matching.ShortestAugmentingPathSolver;
import org.detrkd.detr.model.Detector;
import org.detrkd.detr.model.DetrOutputs;

/**
 * Draws target-aware feature distillation's selection masks over validation images, as the paper's Fig. 4 and 6 do:
 * the teacher runs on the first few images of a split, {@link FeatureDistillation#selectionMaps} gives the weight map
 * {@code W} of the configured variant (Eq. 8 by default; the mean over the teacher stages in the released variant),
 * and its first (finest) level is laid over the image as a heat map (transparent where W is 0, through red to yellow
 * at the image's maximum), with the ground-truth boxes outlined in white. The teacher's assignment comes from the
 * detection matcher (costs 2/5/2), as in training. Drawn with Java2D and written as PNG by {@code ImageIO}.
 */
public final class SelectionMaskImages {

    /** Each map cell and image pixel becomes this many pixels of the drawing (at most, for large images). */
    private static final int MAX_SCALE = 3;
    /** The drawing's longer side is kept at or below this. */
    private static final int MAX_SIDE = 512;

    private SelectionMaskImages() {}

    /**
     * @param teacher the frozen teacher (evaluation mode, no extra query group)
     * @param fd the feature distillation whose masks to draw
     * @param split the split to draw on (no augmentation)
     * @param count images to draw, the split's first
     * @param dir folder the PNG files go into (created)
     * @return the written files, one per image ({@code mask-IMAGEID.png})
     * @throws IOException if an image cannot be read or a file cannot be written
     */
    public static List<Path> write(Detector teacher, FeatureDistillation fd, CocoDetectionDataset split, int count,
            Path dir) throws IOException {
        int n = (int) Math.min(count, split.size());
        if (n == 0) {
            return List.of();
        }
        Files.createDirectories(dir);
        NDManager owner = teacher.getParameters().get(0).getValue().getArray().getManager();
        ParameterStore ps = new ParameterStore(owner, false);
        BatchSource source = new DatasetBatchSource(split, new DetectionBatchifier(), new DetectionBatchifier());
        List<Path> out = new ArrayList<>();
        try (NDManager sm = owner.newSubManager()) {
            BatchSource.Batch batch = source.batch(sm, IntStream.range(0, n).toArray());
            NDArray images = batch.data().get(0); // [B, 3, Hp, Wp]
            DetrOutputs t = teacher.forward(ps, images, batch.data().get(1), null, false);
            NDList labels = batch.labels();
            List<ImageTargets> targets = ImageTargets.fromBatch(new NDList(labels.get(0), labels.get(1),
                    labels.get(2)));
            DistillationInputs in = new DistillationInputs(t, t, targets,
                    new HungarianMatcher(new ShortestAugmentingPathSolver()));
            Map<String, NDArray> maps = fd.selectionMaps(in);
            NDArray w = NDArrays.stack(new NDList(maps.values())).mean(new int[] {0}); // [B, S]
            int[] hw = fd.firstLevel(t);
            float[] first = w.get(":, :" + (long) hw[0] * hw[1]).toFloatArray(); // [B, H0 * W0]
            int paddedH = (int) images.getShape().get(2);
            int paddedW = (int) images.getShape().get(3);
            for (int i = 0; i < n; i++) {
                float[] cells = new float[hw[0] * hw[1]];
                System.arraycopy(first, i * cells.length, cells, 0, cells.length);
                Sample s = split.sample(i);
                BufferedImage img = draw(s, cells, hw[0], hw[1], paddedH, paddedW);
                Path file = dir.resolve("mask-" + split.imageInfo(i).id() + ".png");
                Path tmp = dir.resolve(file.getFileName() + ".tmp");
                ImageIO.write(img, "png", tmp.toFile());
                Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                out.add(file);
            }
        }
        return out;
    }

    /**
     * @param s the image (0-255, as the network saw it before normalisation) and its boxes (absolute xyxy)
     * @param cells the first level's weights, row-major {@code [h, w]}, covering the padded batch canvas
     * @param h rows of the level
     * @param w columns of the level
     * @param paddedH the canvas height in pixels
     * @param paddedW the canvas width in pixels
     * @return the drawing: image, heat map and boxes, at an integer scale
     */
    static BufferedImage draw(Sample s, float[] cells, int h, int w, int paddedH, int paddedW) {
        HostImage im = s.image();
        int scale = Math.max(1, Math.min(MAX_SCALE, MAX_SIDE / Math.max(im.width(), im.height())));
        BufferedImage out = new BufferedImage(im.width() * scale, im.height() * scale, BufferedImage.TYPE_INT_RGB);
        BufferedImage photo = new BufferedImage(im.width(), im.height(), BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < im.height(); y++) {
            for (int x = 0; x < im.width(); x++) {
                photo.setRGB(x, y, new Color(channel(im, 0, y, x), channel(im, 1, y, x), channel(im, 2, y, x))
                        .getRGB());
            }
        }
        Graphics2D g = out.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(photo, 0, 0, out.getWidth(), out.getHeight(), null);
            float max = 0;
            for (float c : cells) {
                max = Math.max(max, c);
            }
            double cellH = (double) paddedH / h * scale;
            double cellW = (double) paddedW / w * scale;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    float v = max > 0 ? cells[y * w + x] / max : 0;
                    if (v <= 0) {
                        continue;
                    }
                    g.setColor(heat(v));
                    int x0 = (int) Math.round(x * cellW);
                    int y0 = (int) Math.round(y * cellH);
                    g.fillRect(x0, y0, (int) Math.round((x + 1) * cellW) - x0, (int) Math.round((y + 1) * cellH) - y0);
                }
            }
            g.setColor(Color.WHITE);
            g.setStroke(new BasicStroke(Math.max(1, scale / 2f)));
            double[] b = s.boxes();
            for (int k = 0; k + 3 < b.length; k += 4) {
                g.drawRect((int) Math.round(b[k] * scale), (int) Math.round(b[k + 1] * scale),
                        (int) Math.round((b[k + 2] - b[k]) * scale), (int) Math.round((b[k + 3] - b[k + 1]) * scale));
            }
        } finally {
            g.dispose();
        }
        return out;
    }

    private static int channel(HostImage im, int c, int y, int x) {
        return Math.max(0, Math.min(255, Math.round(im.get(c, y, x))));
    }

    /** Red (low) to yellow (high), more opaque the higher: {@code v} in (0, 1]. */
    static Color heat(float v) {
        return new Color(255, Math.round(255 * v), 0, Math.round(40 + 170 * v));
    }
}
