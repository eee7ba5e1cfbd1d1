package org.detrkd.datasets.generate;

import java.util.LinkedHashMap;
import java.util.Map;
import org.detrkd.datasets.io.InputException;

/**
 * Every setting of a generated scene benchmark, with the defaults in one place ({@link #DEFAULTS}).
 *
 * <p>Named after the {@code shapes} benchmark, it is also the scene recipe of {@code fashion}: both draw a textured
 * background, distractors and 1-{@code maxObjects} objects whose size (the square root of the box area) comes from
 * three bands around the COCO area thresholds, so that small (area &le; 32&sup2;), medium and large (&gt; 96&sup2;)
 * objects all occur:
 * <pre>
 * small   share smallShare, side log-uniform in [minSide, 30]
 * medium  the rest,         side log-uniform in [34, 90]
 * large   share largeShare, side uniform in [100, min(maxSide, 0.95 imageSize)]  (none when that is below 100)
 * </pre>
 * The annotation {@code area} is the box area {@code w * h} (not the pixel count), so the COCO area range of an
 * object is read off its box.
 *
 * @param imageSize width and height of every image, pixels
 * @param trainSize number of training images
 * @param valSize number of validation images
 * @param seed the seed every image's random stream is derived from
 * @param minObjects fewest objects attempted per image (at least one is always placed)
 * @param maxObjects most objects per image
 * @param minSide smallest object side, pixels
 * @param maxSide largest object side, pixels (capped at 0.95 imageSize)
 * @param smallShare probability that an object is drawn from the small band
 * @param largeShare probability that an object is drawn from the large band
 * @param maxAspect largest width/height (or height/width) ratio of a shape
 * @param maxRotationDegrees largest rotation of a shape either way
 * @param maxOcclusion largest fraction of an object's pixels that later objects may cover; a candidate that
 *     would cover more of an earlier object is re-drawn
 * @param truncatedShare probability that an object may cross the image border (at most 40% of its box outside)
 * @param placementAttempts attempts per object before it is skipped
 * @param minDistractors fewest distractors (lines, blobs, irregular polygons) per image
 * @param maxDistractors most distractors per image
 * @param pixelNoise amplitude of the uniform per-pixel noise added last, grey levels
 */
public record ShapesSpec(int imageSize, int trainSize, int valSize, long seed,
                         int minObjects, int maxObjects, double minSide, double maxSide,
                         double smallShare, double largeShare, double maxAspect, double maxRotationDegrees,
                         double maxOcclusion, double truncatedShare, int placementAttempts,
                         int minDistractors, int maxDistractors, int pixelNoise) {
    /** Default image size, pixels. */
    public static final int DEFAULT_IMAGE_SIZE = 128;
    /** Default number of training images. */
    public static final int DEFAULT_TRAIN = 4000;
    /** Default number of validation images. */
    public static final int DEFAULT_VAL = 500;
    /** Default seed. */
    public static final long DEFAULT_SEED = 0L;

    /** The defaults of the mini benchmark. */
    public static final ShapesSpec DEFAULTS = new ShapesSpec(DEFAULT_IMAGE_SIZE, DEFAULT_TRAIN, DEFAULT_VAL,
            DEFAULT_SEED, 1, 6, 8, 120, 0.4, 0.15, 1.3, 15, 0.5, 0.15, 20, 1, 5, 4);

    /** Upper edge of the small side band (box area stays under 32 squared). */
    static final double SMALL_MAX = 30;
    /** Lower and upper edge of the medium side band. */
    static final double MEDIUM_MIN = 34;
    static final double MEDIUM_MAX = 90;
    /** Lower edge of the large side band (box area above 96 squared). */
    static final double LARGE_MIN = 100;

    /** A copy with other split sizes. */
    public ShapesSpec withSizes(int train, int val) {
        return new ShapesSpec(imageSize, train, val, seed, minObjects, maxObjects, minSide, maxSide, smallShare,
                largeShare, maxAspect, maxRotationDegrees, maxOcclusion, truncatedShare, placementAttempts,
                minDistractors, maxDistractors, pixelNoise);
    }

    /** A copy with another seed. */
    public ShapesSpec withSeed(long newSeed) {
        return new ShapesSpec(imageSize, trainSize, valSize, newSeed, minObjects, maxObjects, minSide, maxSide,
                smallShare, largeShare, maxAspect, maxRotationDegrees, maxOcclusion, truncatedShare,
                placementAttempts, minDistractors, maxDistractors, pixelNoise);
    }

    /** A copy with another image size. */
    public ShapesSpec withImageSize(int size) {
        return new ShapesSpec(size, trainSize, valSize, seed, minObjects, maxObjects, minSide, maxSide, smallShare,
                largeShare, maxAspect, maxRotationDegrees, maxOcclusion, truncatedShare, placementAttempts,
                minDistractors, maxDistractors, pixelNoise);
    }

    /** The number of images of a split ({@code train} or {@code val}). */
    public int size(String split) {
        return switch (split) {
            case "train" -> trainSize;
            case "val" -> valSize;
            default -> throw new IllegalArgumentException("unknown split " + split);
        };
    }

    /** The largest side the large band may reach for this image size. */
    double effectiveMaxSide() {
        return Math.min(maxSide, 0.95 * imageSize);
    }

    /**
     * Checks the settings.
     *
     * @throws InputException naming the first impossible setting
     */
    public ShapesSpec validate() {
        check(imageSize >= 32 && imageSize <= 4096, "image size must be in [32, 4096], got " + imageSize);
        check(trainSize >= 0 && valSize >= 0, "split sizes must not be negative");
        check(trainSize + valSize > 0, "at least one split must have images");
        check(minObjects >= 1 && maxObjects >= minObjects, "need 1 <= minObjects <= maxObjects");
        check(minSide >= 4 && minSide < SMALL_MAX, "minSide must be in [4, " + SMALL_MAX + ")");
        check(smallShare >= 0 && largeShare >= 0 && smallShare + largeShare <= 1, "band shares must sum to <= 1");
        check(maxAspect >= 1, "maxAspect must be >= 1");
        check(maxOcclusion >= 0 && maxOcclusion < 1, "maxOcclusion must be in [0, 1)");
        check(truncatedShare >= 0 && truncatedShare <= 1, "truncatedShare must be in [0, 1]");
        check(placementAttempts >= 1, "placementAttempts must be >= 1");
        check(minDistractors >= 0 && maxDistractors >= minDistractors, "need 0 <= minDistractors <= maxDistractors");
        check(pixelNoise >= 0 && pixelNoise <= 64, "pixelNoise must be in [0, 64]");
        return this;
    }

    private static void check(boolean ok, String problem) {
        if (!ok) {
            throw new InputException((String) null, "", "invalid generator setting: " + problem, null);
        }
    }

    /** All settings in a fixed order with snake_case names, as written to {@code dataset.json}. */
    public Map<String, Object> settings() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("image_size", imageSize);
        m.put("train_size", trainSize);
        m.put("val_size", valSize);
        m.put("min_objects", minObjects);
        m.put("max_objects", maxObjects);
        m.put("min_side", minSide);
        m.put("max_side", maxSide);
        m.put("small_share", smallShare);
        m.put("large_share", largeShare);
        m.put("max_aspect", maxAspect);
        m.put("max_rotation_degrees", maxRotationDegrees);
        m.put("max_occlusion", maxOcclusion);
        m.put("truncated_share", truncatedShare);
        m.put("placement_attempts", placementAttempts);
        m.put("min_distractors", minDistractors);
        m.put("max_distractors", maxDistractors);
        m.put("pixel_noise", pixelNoise);
        return m;
    }
}
