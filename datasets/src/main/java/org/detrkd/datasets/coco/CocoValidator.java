package org.detrkd.datasets.coco;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import org.detrkd.datasets.io.InputException;

/**
 * Semantic checks of a COCO instances file that the {@link CocoJsonReader} cannot make entry by entry: unique ids,
 * references to declared images and categories, positive image sizes, boxes with a positive size that lie inside
 * their image. The image files themselves are checked by {@link CocoImageFiles}.
 *
 * <p>Every finding is a {@link Problem}, a one-line message in the {@link InputException} form
 * {@code FILE: POINTER: PROBLEM} where the pointer is a JSON pointer into the file ({@code /annotations/17/bbox}).
 *
 * <p>Two severities. An {@link Severity#ERROR} makes the file unusable or ambiguous for training or evaluation
 * (duplicate or dangling ids, a non-positive image size, a missing image). A {@link Severity#WARNING} is a box the
 * tools can still handle but that is probably wrong: a box with a non-positive width or height (the COCO 2017
 * train set itself has two boxes of height 0; DETR's loader drops such boxes after clamping them to the image), a
 * box that sticks out of its image by more than {@link #BOX_TOLERANCE} pixels, and an annotation id of 0, which
 * pycocotools treats as "no match" so that such a ground truth can never be matched.
 *
 * <p>Runs in one pass over each list with primitive-keyed maps and builds a message only for a problem: on a
 * generated train2017-sized dataset (118k images, 860k annotations) it took about 0.5 s on a heavily shared 2-core
 * machine, small beside the reading (see {@code CocoSpeedTest}).
 */
public final class CocoValidator {
    /**
     * How far, in pixels, a box may extend past the image border before it is reported. COCO stores coordinates
     * with two decimals, so a box whose {@code x} and {@code w} were each rounded outward can overshoot by up to
     * 0.01 px; anything beyond that (plus a little floating-point slack) is reported.
     */
    public static final double BOX_TOLERANCE = 0.01 + 1e-9;

    /** How serious a problem is. */
    public enum Severity {
        /** The data cannot be used as it is. */
        ERROR,
        /** Probably wrong, but the tools can handle it (see the class comment). */
        WARNING
    }

    /**
     * One finding.
     *
     * @param severity error or warning
     * @param file the annotation file (as given)
     * @param pointer JSON pointer of the offending value, empty for the whole file
     * @param message what is wrong, one line
     */
    public record Problem(Severity severity, String file, String pointer, String message) {
        /** A problem for an {@link InputException} thrown while reading (always an error). */
        public static Problem of(InputException e) {
            return new Problem(Severity.ERROR, e.file(), e.location(), e.problem());
        }

        /** Whether this is an error. */
        public boolean isError() {
            return severity == Severity.ERROR;
        }

        /** The problem as the exception {@link CocoValidator#requireValid} throws. */
        public InputException toException() {
            return new InputException(file, pointer, message, null);
        }

        /** {@code FILE: POINTER: MESSAGE}, with {@code warning: } in front for a warning. */
        @Override
        public String toString() {
            String line = toException().getMessage();
            return severity == Severity.WARNING ? "warning: " + line : line;
        }
    }

    private final String file;
    private final List<Problem> problems = new ArrayList<>();

    private CocoValidator(String file) {
        this.file = file;
    }

    /**
     * Checks a dataset.
     *
     * @param dataset the file's content
     * @param file the file's name, used in the messages
     * @return the problems in file order (images, then categories, then annotations); empty when valid
     */
    public static List<Problem> validate(CocoDataset dataset, String file) {
        CocoValidator v = new CocoValidator(file);
        LongIntMap images = v.checkImages(dataset.images());
        LongIntMap categories = v.checkCategories(dataset.categories());
        v.checkAnnotations(dataset, images, categories);
        return v.problems;
    }

    /**
     * Checks a dataset and throws its first error; warnings are not thrown.
     *
     * @throws InputException the first error found
     */
    public static void requireValid(CocoDataset dataset, String file) {
        for (Problem p : validate(dataset, file)) {
            if (p.isError()) {
                throw p.toException();
            }
        }
    }

    private void add(Severity severity, String pointer, String message) {
        problems.add(new Problem(severity, file, pointer, message));
    }

    private LongIntMap checkImages(List<CocoImage> images) {
        LongIntMap index = new LongIntMap(images.size());
        for (int i = 0; i < images.size(); i++) {
            CocoImage im = images.get(i);
            int first = index.putIfAbsent(im.id(), i);
            if (first != LongIntMap.MISSING) {
                add(Severity.ERROR, "/images/" + i + "/id",
                        "duplicate image id " + im.id() + " (first at /images/" + first + ")");
            }
            if (im.width() <= 0) {
                add(Severity.ERROR, "/images/" + i + "/width", "image width must be positive, found " + im.width());
            }
            if (im.height() <= 0) {
                add(Severity.ERROR, "/images/" + i + "/height",
                        "image height must be positive, found " + im.height());
            }
        }
        return index;
    }

    private LongIntMap checkCategories(List<CocoCategory> categories) {
        LongIntMap index = new LongIntMap(categories.size());
        for (int i = 0; i < categories.size(); i++) {
            long id = categories.get(i).id();
            int first = index.putIfAbsent(id, i);
            if (first != LongIntMap.MISSING) {
                add(Severity.ERROR, "/categories/" + i + "/id",
                        "duplicate category id " + id + " (first at /categories/" + first + ")");
            }
        }
        return index;
    }

    private void checkAnnotations(CocoDataset dataset, LongIntMap images, LongIntMap categories) {
        List<CocoAnnotation> annotations = dataset.annotations();
        LongIntMap ids = new LongIntMap(annotations.size());
        for (int i = 0; i < annotations.size(); i++) {
            CocoAnnotation a = annotations.get(i);
            int first = ids.putIfAbsent(a.id(), i);
            if (first != LongIntMap.MISSING) {
                add(Severity.ERROR, "/annotations/" + i + "/id",
                        "duplicate annotation id " + a.id() + " (first at /annotations/" + first + ")");
            } else if (a.id() == 0) {
                add(Severity.WARNING, "/annotations/" + i + "/id",
                        "annotation id 0 is read as 'no match' by pycocotools, so this box can never be matched;"
                                + " number annotations from 1");
            }
            if (categories.get(a.categoryId()) == LongIntMap.MISSING) {
                add(Severity.ERROR, "/annotations/" + i + "/category_id", "unknown category id " + a.categoryId());
            }
            int image = images.get(a.imageId());
            if (image == LongIntMap.MISSING) {
                add(Severity.ERROR, "/annotations/" + i + "/image_id", "unknown image id " + a.imageId());
            }
            if (!(a.w() > 0) || !(a.h() > 0)) {
                add(Severity.WARNING, "/annotations/" + i + "/bbox",
                        "box width and height must be positive, found " + box(a));
            } else if (image != LongIntMap.MISSING) {
                checkInside(a, dataset.images().get(image), i);
            }
        }
    }

    private void checkInside(CocoAnnotation a, CocoImage im, int index) {
        if (im.width() <= 0 || im.height() <= 0) {
            return;
        }
        double over = Math.max(Math.max(-a.x(), -a.y()),
                Math.max(a.x() + a.w() - im.width(), a.y() + a.h() - im.height()));
        if (over > BOX_TOLERANCE) {
            add(Severity.WARNING, "/annotations/" + index + "/bbox", "box " + box(a) + " extends " + number(over)
                    + " px outside image " + im.id() + " (" + im.width() + "x" + im.height() + ")");
        }
    }

    private static String box(CocoAnnotation a) {
        return "[" + number(a.x()) + ", " + number(a.y()) + ", " + number(a.w()) + ", " + number(a.h()) + "]";
    }

    /** A coordinate for a message: at most six decimals, no trailing zeros, no exponent. */
    static String number(double v) {
        if (!Double.isFinite(v)) {
            return Double.toString(v);
        }
        BigDecimal d = BigDecimal.valueOf(Math.round(v * 1e6)).movePointLeft(6).stripTrailingZeros();
        return d.signum() == 0 ? "0" : d.toPlainString();
    }
}
