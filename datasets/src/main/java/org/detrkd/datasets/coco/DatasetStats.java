package org.detrkd.datasets.coco;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Summary statistics of one split of a COCO-format dataset, as printed by {@code detrkd data check}: sizes, boxes per
 * image, per-class counts and the COCO area ranges, so that a generated benchmark can be compared with COCO at a
 * glance.
 *
 * <p>Counts cover every annotation, crowd regions included (their number is given separately). Area ranges use the
 * annotation's {@code area} field, as the COCO evaluator does (for COCO it is the segmentation area, not
 * {@code w * h}), split into disjoint bins: small {@code area <= 32^2}, medium {@code 32^2 < area <= 96^2}, large
 * {@code area > 96^2}. (The evaluator's own ranges are closed at both ends, so an area of exactly {@code 32^2} counts
 * as both small and medium there; here it is small.) Annotations whose image is not declared are left out of the
 * per-image numbers; annotations of an undeclared category are listed under the name {@code ?ID}.
 *
 * @param split the split's name ({@code val}, {@code val2017})
 * @param images number of images
 * @param annotations number of annotations
 * @param crowd number of annotations with {@code iscrowd = 1}
 * @param boxesPerImage annotations per image
 * @param imagesWithoutBoxes images that have no annotation at all
 * @param areas annotations per COCO area range
 * @param imageSize the range of declared image sizes (all 0 without images)
 * @param classes per category, in the file's category order
 */
public record DatasetStats(String split, int images, int annotations, int crowd, PerImage boxesPerImage,
                           int imagesWithoutBoxes, AreaRanges areas, SizeRange imageSize, List<ClassCount> classes) {
    /** Upper bound (inclusive) of COCO's "small" area range: 32^2. */
    public static final double SMALL_MAX = 32.0 * 32.0;
    /** Upper bound (inclusive) of COCO's "medium" area range: 96^2. */
    public static final double MEDIUM_MAX = 96.0 * 96.0;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public DatasetStats {
        classes = List.copyOf(classes);
    }

    /**
     * Annotations per image.
     *
     * @param mean mean over all images (0 without images)
     * @param min fewest annotations on one image
     * @param max most annotations on one image
     */
    public record PerImage(double mean, int min, int max) {}

    /**
     * Annotations per area range.
     *
     * @param small {@code area <= 32^2}
     * @param medium {@code 32^2 < area <= 96^2}
     * @param large {@code area > 96^2}
     */
    public record AreaRanges(int small, int medium, int large) {}

    /**
     * Declared image sizes.
     *
     * @param minWidth narrowest width
     * @param maxWidth widest width
     * @param minHeight lowest height
     * @param maxHeight highest height
     */
    public record SizeRange(int minWidth, int maxWidth, int minHeight, int maxHeight) {}

    /**
     * One category's count.
     *
     * @param id the category id
     * @param name its name
     * @param annotations its number of annotations (crowd included)
     */
    public record ClassCount(long id, String name, int annotations) {}

    /** Computes the statistics of a split. */
    public static DatasetStats of(String split, CocoDataset dataset) {
        List<CocoImage> images = dataset.images();
        LongIntMap imageIndex = new LongIntMap(images.size());
        for (int i = 0; i < images.size(); i++) {
            imageIndex.putIfAbsent(images.get(i).id(), i);
        }
        List<CocoCategory> categories = dataset.categories();
        LongIntMap categoryIndex = new LongIntMap(categories.size());
        for (int i = 0; i < categories.size(); i++) {
            categoryIndex.putIfAbsent(categories.get(i).id(), i);
        }
        int[] perImage = new int[images.size()];
        int[] perCategory = new int[categories.size()];
        List<ClassCount> unknown = new ArrayList<>();
        LongIntMap unknownIndex = new LongIntMap(4);
        int crowd = 0;
        int small = 0;
        int medium = 0;
        int large = 0;
        for (CocoAnnotation a : dataset.annotations()) {
            int im = imageIndex.get(a.imageId());
            if (im != LongIntMap.MISSING) {
                perImage[im]++;
            }
            int c = categoryIndex.get(a.categoryId());
            if (c != LongIntMap.MISSING) {
                perCategory[c]++;
            } else {
                countUnknown(a.categoryId(), unknown, unknownIndex);
            }
            crowd += a.iscrowd() ? 1 : 0;
            if (a.area() <= SMALL_MAX) {
                small++;
            } else if (a.area() <= MEDIUM_MAX) {
                medium++;
            } else {
                large++;
            }
        }
        List<ClassCount> classes = new ArrayList<>();
        for (int i = 0; i < categories.size(); i++) {
            classes.add(new ClassCount(categories.get(i).id(), categories.get(i).name(), perCategory[i]));
        }
        classes.addAll(unknown);
        return new DatasetStats(split, images.size(), dataset.annotations().size(), crowd, perImage(perImage),
                count(perImage, 0), new AreaRanges(small, medium, large), sizeRange(images), classes);
    }

    private static void countUnknown(long id, List<ClassCount> unknown, LongIntMap index) {
        int at = index.putIfAbsent(id, unknown.size());
        if (at == LongIntMap.MISSING) {
            unknown.add(new ClassCount(id, "?" + id, 1));
        } else {
            ClassCount old = unknown.get(at);
            unknown.set(at, new ClassCount(id, old.name(), old.annotations() + 1));
        }
    }

    private static PerImage perImage(int[] counts) {
        if (counts.length == 0) {
            return new PerImage(0, 0, 0);
        }
        long sum = 0;
        int min = Integer.MAX_VALUE;
        int max = 0;
        for (int n : counts) {
            sum += n;
            min = Math.min(min, n);
            max = Math.max(max, n);
        }
        return new PerImage((double) sum / counts.length, min, max);
    }

    private static int count(int[] values, int wanted) {
        int n = 0;
        for (int v : values) {
            n += v == wanted ? 1 : 0;
        }
        return n;
    }

    private static SizeRange sizeRange(List<CocoImage> images) {
        if (images.isEmpty()) {
            return new SizeRange(0, 0, 0, 0);
        }
        int minW = Integer.MAX_VALUE;
        int maxW = Integer.MIN_VALUE;
        int minH = Integer.MAX_VALUE;
        int maxH = Integer.MIN_VALUE;
        for (CocoImage im : images) {
            minW = Math.min(minW, im.width());
            maxW = Math.max(maxW, im.width());
            minH = Math.min(minH, im.height());
            maxH = Math.max(maxH, im.height());
        }
        return new SizeRange(minW, maxW, minH, maxH);
    }

    /** The statistics as indented JSON (record component names as keys). */
    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise statistics", e);
        }
    }

    /** The statistics as aligned text, numbers formatted with {@link Locale#ROOT}. */
    public String toText() {
        StringBuilder sb = new StringBuilder();
        sb.append("split ").append(split).append('\n');
        line(sb, "images", Integer.toString(images));
        line(sb, "annotations", annotations + " (" + crowd + " crowd)");
        line(sb, "boxes per image", String.format(Locale.ROOT, "mean %.2f, min %d, max %d",
                boxesPerImage.mean(), boxesPerImage.min(), boxesPerImage.max()));
        line(sb, "images without boxes", Integer.toString(imagesWithoutBoxes));
        line(sb, "image width", imageSize.minWidth() + " .. " + imageSize.maxWidth());
        line(sb, "image height", imageSize.minHeight() + " .. " + imageSize.maxHeight());
        line(sb, "area small", share(areas.small()) + "  (area <= 32^2)");
        line(sb, "area medium", share(areas.medium()) + "  (32^2 < area <= 96^2)");
        line(sb, "area large", share(areas.large()) + "  (area > 96^2)");
        line(sb, "classes", Integer.toString(classes.size()));
        int nameWidth = 0;
        int countWidth = 1;
        for (ClassCount c : classes) {
            nameWidth = Math.max(nameWidth, c.name().length());
            countWidth = Math.max(countWidth, Integer.toString(c.annotations()).length());
        }
        for (ClassCount c : classes) {
            sb.append(String.format(Locale.ROOT, "    %-" + Math.max(1, nameWidth) + "s  %" + countWidth + "d\n",
                    c.name(), c.annotations()));
        }
        return sb.toString();
    }

    private String share(int n) {
        double pct = annotations == 0 ? 0 : 100.0 * n / annotations;
        return String.format(Locale.ROOT, "%d (%.1f%%)", n, pct);
    }

    private static void line(StringBuilder sb, String label, String value) {
        sb.append(String.format(Locale.ROOT, "  %-22s%s\n", label, value));
    }
}
