package org.detrkd.datasets.coco;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.detrkd.datasets.coco.CocoValidator.Problem;
import org.detrkd.datasets.coco.CocoValidator.Severity;

/**
 * Checks the image files of a split against its annotation file: every {@code file_name} must exist in the split's
 * image folder, and the pixel size stored in the file must equal the {@code width} and {@code height} the annotation
 * file declares (boxes are in those pixels, so a mismatch silently shifts every box).
 *
 * <p>Existence is checked for every image (one {@code stat} each). The size is read from the image header with
 * {@link ImageIO} without decoding the pixels, for an evenly spaced, deterministic sample of the images (or all of
 * them), so that a check of train2017 stays in seconds.
 */
public final class CocoImageFiles {
    private CocoImageFiles() {}

    /**
     * Checks the images of {@code dataset}.
     *
     * @param dataset the split's annotations
     * @param file the annotation file's name, used in the messages
     * @param imageDir the folder {@code file_name} is relative to
     * @param sizeSample how many images to read the size of: 0 for none, a negative number for all
     * @return the problems found (all errors), in image order
     */
    public static List<Problem> check(CocoDataset dataset, String file, Path imageDir, int sizeSample) {
        List<Problem> problems = new ArrayList<>();
        List<CocoImage> images = dataset.images();
        if (images.isEmpty()) {
            return problems;
        }
        if (!Files.isDirectory(imageDir)) {
            problems.add(new Problem(Severity.ERROR, file, "", "image folder not found: " + imageDir));
            return problems;
        }
        int n = images.size();
        int sampled = sizeSample < 0 ? n : Math.min(sizeSample, n);
        int nextSample = 0;
        for (int i = 0; i < n; i++) {
            CocoImage im = images.get(i);
            // sample k of `sampled` is image floor(k * n / sampled): evenly spaced, distinct, the first included
            boolean inSample = nextSample < sampled && i == (int) ((long) nextSample * n / sampled);
            if (inSample) {
                nextSample++;
            }
            String at = "/images/" + i + "/file_name";
            Path path;
            try {
                path = imageDir.resolve(im.fileName());
            } catch (InvalidPathException e) {
                problems.add(new Problem(Severity.ERROR, file, at, "not a valid file name: " + e.getReason()));
                continue;
            }
            if (!Files.isRegularFile(path)) {
                problems.add(new Problem(Severity.ERROR, file, at, "image file not found: " + path));
            } else if (inSample) {
                checkSize(im, path, file, at, problems);
            }
        }
        return problems;
    }

    private static void checkSize(CocoImage im, Path path, String file, String at, List<Problem> problems) {
        int[] size;
        try {
            size = readSize(path);
        } catch (IOException e) {
            problems.add(new Problem(Severity.ERROR, file, at, "cannot read image " + path + ": " + e.getMessage()));
            return;
        }
        if (size == null) {
            problems.add(new Problem(Severity.ERROR, file, at, "not a readable image (unknown format): " + path));
        } else if (size[0] != im.width() || size[1] != im.height()) {
            problems.add(new Problem(Severity.ERROR, file, at, "image " + path + " is " + size[0] + "x" + size[1]
                    + " pixels but the file declares " + im.width() + "x" + im.height()));
        }
    }

    /**
     * The pixel size of an image file from its header, without decoding the pixels.
     *
     * @return {@code {width, height}}, or {@code null} when no ImageIO reader knows the format
     */
    public static int[] readSize(Path path) throws IOException {
        try (ImageInputStream in = ImageIO.createImageInputStream(path.toFile())) {
            if (in == null) {
                return null;
            }
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                return null;
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                return new int[] {reader.getWidth(0), reader.getHeight(0)};
            } finally {
                reader.dispose();
            }
        }
    }
}
