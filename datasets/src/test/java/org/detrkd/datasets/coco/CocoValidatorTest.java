package org.detrkd.datasets.coco;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

import java.util.ArrayList;
import java.util.List;
import org.detrkd.datasets.coco.CocoValidator.Problem;
import org.detrkd.datasets.io.InputException;
import org.testng.annotations.Test;

/** Every kind of problem {@link CocoValidator} reports, with its exact one-line message. */
public class CocoValidatorTest {
    private static final String F = "instances_val.json";

    private static final List<CocoImage> IMAGES = List.of(new CocoImage(1, "a.jpg", 640, 480),
            new CocoImage(2, "b.jpg", 100, 50));
    private static final List<CocoCategory> CATEGORIES = List.of(new CocoCategory(1, "cat", ""),
            new CocoCategory(7, "dog", ""));

    private static CocoAnnotation box(long id, long image, long category, double x, double y, double w, double h) {
        return new CocoAnnotation(id, image, category, x, y, w, h, w * h, false);
    }

    private static List<String> lines(CocoDataset d) {
        List<String> out = new ArrayList<>();
        for (Problem p : CocoValidator.validate(d, F)) {
            out.add(p.toString());
        }
        return out;
    }

    private static List<String> annotationLines(CocoAnnotation... annotations) {
        return lines(new CocoDataset(IMAGES, CATEGORIES, List.of(annotations)));
    }

    @Test
    public void validDatasetHasNoProblem() {
        // boxes touching every border exactly, and overshooting by less than the tolerance
        assertEquals(annotationLines(box(1, 1, 1, 0, 0, 640, 480), box(2, 2, 7, 99.99, 49.99, 0.01, 0.01),
                box(3, 2, 7, 50.005, 0, 50.005, 50.005), box(4, 1, 1, -0.01, -0.01, 10, 10)), List.of());
        CocoValidator.requireValid(new CocoDataset(IMAGES, CATEGORIES, List.of()), F);
    }

    @Test
    public void duplicateIds() {
        CocoDataset d = new CocoDataset(
                List.of(new CocoImage(1, "a.jpg", 10, 10), new CocoImage(2, "b.jpg", 10, 10),
                        new CocoImage(1, "c.jpg", 10, 10)),
                List.of(new CocoCategory(4, "x", ""), new CocoCategory(4, "y", "")),
                List.of(box(5, 1, 4, 0, 0, 1, 1), box(6, 2, 4, 0, 0, 1, 1), box(5, 2, 4, 0, 0, 1, 1)));
        assertEquals(lines(d), List.of(
                F + ": /images/2/id: duplicate image id 1 (first at /images/0)",
                F + ": /categories/1/id: duplicate category id 4 (first at /categories/0)",
                F + ": /annotations/2/id: duplicate annotation id 5 (first at /annotations/0)"));
    }

    @Test
    public void nonPositiveImageSizes() {
        CocoDataset d = new CocoDataset(List.of(new CocoImage(1, "a.jpg", 0, 10), new CocoImage(2, "b.jpg", 10, -3)),
                CATEGORIES, List.of(box(1, 1, 1, 0, 0, 5, 5)));
        assertEquals(lines(d), List.of(
                F + ": /images/0/width: image width must be positive, found 0",
                F + ": /images/1/height: image height must be positive, found -3"));
    }

    @Test
    public void unknownReferences() {
        assertEquals(annotationLines(box(1, 3, 1, 0, 0, 5, 5), box(2, 1, 2, 0, 0, 5, 5), box(3, 9, 9, 0, 0, 5, 5)),
                List.of(F + ": /annotations/0/image_id: unknown image id 3",
                        F + ": /annotations/1/category_id: unknown category id 2",
                        F + ": /annotations/2/category_id: unknown category id 9",
                        F + ": /annotations/2/image_id: unknown image id 9"));
    }

    @Test
    public void emptyBoxesAreWarnings() {
        List<Problem> problems = CocoValidator.validate(new CocoDataset(IMAGES, CATEGORIES,
                List.of(box(1, 1, 1, 296.65, 388.33, 1.03, 0), box(2, 1, 1, 5, 5, -2, 3))), F);
        assertEquals(problems.stream().map(Problem::toString).toList(), List.of(
                "warning: " + F + ": /annotations/0/bbox: box width and height must be positive,"
                        + " found [296.65, 388.33, 1.03, 0]",
                "warning: " + F + ": /annotations/1/bbox: box width and height must be positive, found [5, 5, -2, 3]"));
        assertTrue(problems.stream().noneMatch(Problem::isError));
    }

    @Test
    public void boxesOutsideTheImageAreWarnings() {
        assertEquals(annotationLines(box(1, 2, 1, 90, 10, 10.02, 5), box(2, 2, 1, -0.5, 0, 10, 5),
                        box(3, 2, 1, 0, 45, 10, 20), box(4, 1, 7, 700, 500, 10, 10)),
                List.of("warning: " + F + ": /annotations/0/bbox: box [90, 10, 10.02, 5] extends 0.02 px outside"
                                + " image 2 (100x50)",
                        "warning: " + F + ": /annotations/1/bbox: box [-0.5, 0, 10, 5] extends 0.5 px outside"
                                + " image 2 (100x50)",
                        "warning: " + F + ": /annotations/2/bbox: box [0, 45, 10, 20] extends 15 px outside"
                                + " image 2 (100x50)",
                        "warning: " + F + ": /annotations/3/bbox: box [700, 500, 10, 10] extends 70 px outside"
                                + " image 1 (640x480)"));
    }

    @Test
    public void annotationIdZeroIsAWarning() {
        assertEquals(annotationLines(box(0, 1, 1, 0, 0, 5, 5)), List.of("warning: " + F
                + ": /annotations/0/id: annotation id 0 is read as 'no match' by pycocotools, so this box can never"
                + " be matched; number annotations from 1"));
    }

    @Test
    public void requireValidThrowsTheFirstErrorNotWarnings() {
        CocoDataset warningsOnly = new CocoDataset(IMAGES, CATEGORIES, List.of(box(1, 1, 1, 0, 0, 0, 5)));
        CocoValidator.requireValid(warningsOnly, F);
        CocoDataset bad = new CocoDataset(IMAGES, CATEGORIES,
                List.of(box(1, 1, 1, 0, 0, 0, 5), box(2, 5, 1, 0, 0, 1, 1), box(2, 1, 1, 0, 0, 1, 1)));
        InputException e = expectThrows(InputException.class, () -> CocoValidator.requireValid(bad, F));
        assertEquals(e.getMessage(), F + ": /annotations/1/image_id: unknown image id 5");
        assertEquals(e.location(), "/annotations/1/image_id");
    }

    @Test
    public void manyIdsAgreeWithASimpleSet() {
        // ids spread over the long range, including ones that collide in a small table, checked against HashSet
        List<CocoImage> images = new ArrayList<>();
        java.util.Set<Long> seen = new java.util.HashSet<>();
        List<Integer> expectedDuplicates = new ArrayList<>();
        java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < 20000; i++) {
            long id = random.nextInt(3) == 0 ? random.nextInt(5000) : random.nextLong() >> 12;
            if (!seen.add(id)) {
                expectedDuplicates.add(i);
            }
            images.add(new CocoImage(id, i + ".jpg", 10, 10));
        }
        List<Integer> found = CocoValidator.validate(new CocoDataset(images, List.of(), List.of()), F).stream()
                .map(p -> Integer.parseInt(p.pointer().split("/")[2])).toList();
        assertEquals(found, expectedDuplicates);
        assertTrue(found.size() > 1000, "the case must contain duplicates: " + found.size());
    }

    @Test
    public void numbersInMessages() {
        assertEquals(CocoValidator.number(0.1 + 0.2), "0.3");
        assertEquals(CocoValidator.number(-0.0), "0");
        assertEquals(CocoValidator.number(1e-7), "0");
        assertEquals(CocoValidator.number(123456.5), "123456.5");
        assertEquals(CocoValidator.number(2.0), "2");
    }
}
