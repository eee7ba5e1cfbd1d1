package org.detrkd.datasets.generate;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertNotEquals;
import static org.testng.Assert.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.Test;

/** Properties of the shapes benchmark at the default settings, on a val split of 200 images. */
public class ShapesGeneratorTest {
    private static final int IMAGES = 200;
    private final ShapesGenerator generator = new ShapesGenerator(ShapesSpec.DEFAULTS);
    private final List<List<GeneratedBox>> val = new ArrayList<>();

    @BeforeClass
    public void render() {
        Canvas canvas = new Canvas(ShapesSpec.DEFAULT_IMAGE_SIZE, ShapesSpec.DEFAULT_IMAGE_SIZE);
        for (int i = 0; i < IMAGES; i++) {
            val.add(generator.render(canvas, "val", SceneRandom.forImage(ShapesSpec.DEFAULT_SEED, "val", i)));
        }
    }

    @Test
    public void everyBoxIsInsideTheImageWithPositiveSize() {
        int size = ShapesSpec.DEFAULT_IMAGE_SIZE;
        for (List<GeneratedBox> image : val) {
            assertTrue(!image.isEmpty() && image.size() <= ShapesSpec.DEFAULTS.maxObjects(), "objects per image");
            for (GeneratedBox b : image) {
                assertTrue(b.x() >= 0 && b.y() >= 0 && b.x() + b.w() <= size + 1e-9 && b.y() + b.h() <= size + 1e-9,
                        b.toString());
                assertTrue(b.w() >= 1 && b.h() >= 1, b.toString());
                assertEquals(b.area(), Math.round(b.w() * b.h() * 100) / 100.0, 1e-9);
                assertTrue(b.categoryId() >= 1 && b.categoryId() <= 8);
            }
        }
    }

    @Test
    public void allThreeCocoAreaRangesArePresent() {
        SplitStats s = SplitStats.of(val);
        assertEquals(s.small() + s.medium() + s.large(), s.boxes());
        assertTrue(s.small() >= 0.2 * s.boxes(), "small: " + s);
        assertTrue(s.medium() >= 0.2 * s.boxes(), "medium: " + s);
        assertTrue(s.large() >= 0.05 * s.boxes(), "large: " + s);
    }

    @Test
    public void classesAreRoughlyBalanced() {
        int[] counts = new int[9];
        int total = 0;
        for (List<GeneratedBox> image : val) {
            for (GeneratedBox b : image) {
                counts[b.categoryId()]++;
                total++;
            }
        }
        double mean = total / 8.0;
        for (int c = 1; c <= 8; c++) {
            assertTrue(counts[c] > 0.7 * mean && counts[c] < 1.3 * mean,
                    ShapeClass.values()[c - 1] + ": " + counts[c] + " of mean " + mean);
        }
    }

    @Test
    public void shapeBoxesAreTightToTheRasterisedOutline() {
        Canvas canvas = new Canvas(128, 128);
        SplittableRandom r = new SplittableRandom(3);
        for (ShapeClass c : ShapeClass.values()) {
            for (int k = 0; k < 20; k++) {
                double w = SceneRandom.uniform(r, 30, 70);
                double h = SceneRandom.uniform(r, 30, 70);
                ShapeClass.Geometry g = c.build(SceneRandom.uniform(r, 45, 83), SceneRandom.uniform(r, 45, 83), w, h,
                        SceneRandom.uniform(r, -0.26, 0.26));
                int[] cover = canvas.coverage(g.shape(), g.x0() - 4, g.y0() - 4, g.x1() + 4, g.y1() + 4);
                int minX = 999;
                int minY = 999;
                int maxX = -1;
                int maxY = -1;
                for (int p : cover) {
                    minX = Math.min(minX, p % 128);
                    maxX = Math.max(maxX, p % 128);
                    minY = Math.min(minY, p / 128);
                    maxY = Math.max(maxY, p / 128);
                }
                String where = c + " " + g;
                // pixel centres (i + 0.5) inside the outline lie inside the box, and reach to within 2.5 px of it
                assertTrue(minX + 0.5 >= g.x0() && minX + 0.5 <= g.x0() + 2.5, where);
                assertTrue(maxX + 0.5 <= g.x1() && maxX + 0.5 >= g.x1() - 2.5, where);
                assertTrue(minY + 0.5 >= g.y0() && minY + 0.5 <= g.y0() + 2.5, where);
                assertTrue(maxY + 0.5 <= g.y1() && maxY + 0.5 >= g.y1() - 2.5, where);
            }
        }
    }

    @Test
    public void occlusionLeavesEveryObjectHalfVisibleAndDoesOccur() {
        ShapesSpec spec = ShapesSpec.DEFAULTS;
        SceneLayout layout = new SceneLayout(spec, 8);
        Canvas canvas = new Canvas(128, 128);
        int occluded = 0;
        for (int i = 0; i < IMAGES; i++) {
            SplittableRandom r = SceneRandom.forImage(5, "val", i);
            List<SceneObject> objects = layout.place(canvas, r, (rng, cls, side, l) -> {
                ShapeClass c = ShapeClass.values()[cls];
                ShapeClass.Geometry at = c.build(0, 0, side, side, 0);
                double[] tl = l.topLeft(rng, at.x1() - at.x0(), at.y1() - at.y0());
                return new ShapeObject(c, c.build(tl[0] - at.x0(), tl[1] - at.y0(), side, side, 0));
            });
            int[] owner = new int[128 * 128];
            int[] full = new int[objects.size() + 1];
            for (int k = 0; k < objects.size(); k++) {
                int[] cover = objects.get(k).coverage(canvas);
                full[k + 1] = cover.length;
                for (int p : cover) {
                    owner[p] = k + 1;
                }
            }
            int[] visible = new int[objects.size() + 1];
            for (int o : owner) {
                visible[o]++;
            }
            for (int k = 1; k <= objects.size(); k++) {
                assertTrue(visible[k] >= 0.5 * full[k], "image " + i + " object " + k);
                occluded += visible[k] < full[k] ? 1 : 0;
            }
        }
        assertTrue(occluded >= 20, "partly hidden objects: " + occluded);
    }

    @Test
    public void imageStreamsDependOnSeedSplitAndIndexOnly() {
        long a = SceneRandom.forImage(1, "val", 4).nextLong();
        assertEquals(SceneRandom.forImage(1, "val", 4).nextLong(), a);
        assertNotEquals(SceneRandom.forImage(2, "val", 4).nextLong(), a);
        assertNotEquals(SceneRandom.forImage(1, "train", 4).nextLong(), a);
        assertNotEquals(SceneRandom.forImage(1, "val", 5).nextLong(), a);
    }

    @Test
    public void categoriesAreTheEightShapes() {
        assertEquals(generator.categories().stream().map(c -> c.id() + ":" + c.name()).toList(), List.of("1:circle",
                "2:square", "3:triangle", "4:star", "5:cross", "6:ring", "7:diamond", "8:hexagon"));
    }
}
