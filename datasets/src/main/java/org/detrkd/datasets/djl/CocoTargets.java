package org.detrkd.datasets.djl;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.detrkd.datasets.boxes.BoxFormat;
import org.detrkd.datasets.coco.CocoAnnotation;
import org.detrkd.datasets.coco.CocoDataset;
import org.detrkd.datasets.coco.CocoImage;
import org.detrkd.datasets.coco.CocoJsonReader;
import org.detrkd.datasets.io.InputException;

/**
 * The training targets of a COCO split, prepared once: per image (in {@code images} order) its non-crowd boxes as
 * absolute xyxy clipped to the image with empty ones removed, and their contiguous class indices (DETR's
 * {@code ConvertCocoPolysToMask}, without masks).
 */
final class CocoTargets {
    private final List<CocoImage> images;
    private final CategoryIndex categories;
    private final double[][] boxes;
    private final int[][] classes;

    private CocoTargets(List<CocoImage> images, CategoryIndex categories, double[][] boxes, int[][] classes) {
        this.images = images;
        this.categories = categories;
        this.boxes = boxes;
        this.classes = classes;
    }

    /** Reads an instances file and prepares its targets; bad references are {@link InputException}s. */
    static CocoTargets load(Path annotationFile) {
        CocoDataset coco = CocoJsonReader.read(annotationFile);
        return of(coco, annotationFile.toString());
    }

    /** Prepares the targets of a dataset read from {@code source} (named in error messages). */
    static CocoTargets of(CocoDataset coco, String source) {
        CategoryIndex categories;
        try {
            categories = CategoryIndex.of(coco.categories());
        } catch (IllegalArgumentException e) {
            throw new InputException(source, "/categories", e.getMessage(), e);
        }
        List<CocoImage> images = coco.images();
        Map<Long, Integer> position = new HashMap<>();
        for (int i = 0; i < images.size(); i++) {
            if (position.put(images.get(i).id(), i) != null) {
                throw new InputException(source, "/images/" + i, "duplicate image id " + images.get(i).id(), null);
            }
        }
        List<List<CocoAnnotation>> perImage = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            perImage.add(new ArrayList<>());
        }
        List<CocoAnnotation> annotations = coco.annotations();
        for (int k = 0; k < annotations.size(); k++) {
            CocoAnnotation a = annotations.get(k);
            Integer i = position.get(a.imageId());
            if (i == null) {
                throw new InputException(source, "/annotations/" + k, "unknown image_id " + a.imageId(), null);
            }
            if (!categories.contains(a.categoryId())) {
                throw new InputException(source, "/annotations/" + k, "unknown category_id " + a.categoryId(), null);
            }
            if (!a.iscrowd()) {
                perImage.get(i).add(a);
            }
        }
        double[][] boxes = new double[images.size()][];
        int[][] classes = new int[images.size()][];
        for (int i = 0; i < images.size(); i++) {
            prepare(images.get(i), perImage.get(i), categories, boxes, classes, i);
        }
        return new CocoTargets(images, categories, boxes, classes);
    }

    private static void prepare(CocoImage image, List<CocoAnnotation> anns, CategoryIndex categories,
                                double[][] boxes, int[][] classes, int i) {
        double[] xywh = new double[4 * anns.size()];
        for (int k = 0; k < anns.size(); k++) {
            CocoAnnotation a = anns.get(k);
            xywh[4 * k] = a.x();
            xywh[4 * k + 1] = a.y();
            xywh[4 * k + 2] = a.w();
            xywh[4 * k + 3] = a.h();
        }
        double[] xyxy = BoxFormat.clipXyxy(BoxFormat.xywhToXyxy(xywh), image.width(), image.height());
        double[] kept = new double[xyxy.length];
        int[] cls = new int[anns.size()];
        int n = 0;
        for (int k = 0; k < anns.size(); k++) {
            if (BoxFormat.isNonEmpty(xyxy, k)) {
                System.arraycopy(xyxy, 4 * k, kept, 4 * n, 4);
                cls[n++] = categories.indexOf(anns.get(k).categoryId());
            }
        }
        boxes[i] = Arrays.copyOf(kept, 4 * n);
        classes[i] = Arrays.copyOf(cls, n);
    }

    int size() {
        return images.size();
    }

    CocoImage image(int i) {
        return images.get(i);
    }

    CategoryIndex categories() {
        return categories;
    }

    /** Absolute xyxy boxes of image {@code i} (shared: never modify). {@code [n, 4]} */
    double[] boxes(int i) {
        return boxes[i];
    }

    /** Contiguous class indices of image {@code i} (shared: never modify). {@code [n]} */
    int[] classes(int i) {
        return classes[i];
    }
}
