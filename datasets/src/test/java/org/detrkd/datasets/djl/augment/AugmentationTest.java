package org.detrkd.datasets.djl.augment;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertSame;
import static org.testng.Assert.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.testng.annotations.Test;

public class AugmentationTest {
    private static final double EPS = 1e-9;

    /** An image whose value at (c, y, x) is 100 c + 10 y + x, so every pixel is identifiable. */
    static HostImage indexed(int width, int height) {
        float[] px = new float[3 * width * height];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    px[(c * height + y) * width + x] = 100 * c + 10 * y + x;
                }
            }
        }
        return new HostImage(width, height, px);
    }

    private static void assertBoxes(double[] actual, double... expected) {
        assertEquals(actual.length, expected.length, "box array length");
        for (int i = 0; i < actual.length; i++) {
            assertEquals(actual[i], expected[i], EPS, "box value " + i);
        }
    }

    @Test
    public void flipMovesBoxesAndPixelsTogether() {
        Sample s = new Sample(indexed(6, 3), new double[] {1, 0, 2.5, 2, 0, 1, 6, 3}, new int[] {4, 7});
        Sample f = HorizontalFlip.flip(s);
        // x0' = W - x1, x1' = W - x0 with W = 6
        assertBoxes(f.boxes(), 3.5, 0, 5, 2, 0, 1, 6, 3);
        assertEquals(f.classes(), new int[] {4, 7});
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 3; y++) {
                for (int x = 0; x < 6; x++) {
                    assertEquals(f.image().get(c, y, 5 - x), s.image().get(c, y, x));
                }
            }
        }
        assertBoxes(s.boxes(), 1, 0, 2.5, 2, 0, 1, 6, 3);
    }

    @Test
    public void flipProbabilityIsHonoured() {
        Sample s = new Sample(indexed(4, 2), new double[] {0, 0, 1, 1}, new int[] {0});
        assertSame(new HorizontalFlip(0).apply(s, new SplittableRandom(1)), s);
        assertBoxes(new HorizontalFlip(1).apply(s, new SplittableRandom(1)).boxes(), 3, 0, 4, 1);
        int flipped = 0;
        for (int seed = 0; seed < 1000; seed++) {
            if (new HorizontalFlip(0.5).apply(s, new SplittableRandom(seed)) != s) {
                flipped++;
            }
        }
        assertTrue(flipped > 430 && flipped < 570, "flipped " + flipped + " of 1000");
    }

    @Test
    public void targetSizeFollowsDetrRule() {
        // (width, height, size, maxSize) -> {height, width}
        assertEquals(RandomResize.targetSize(640, 480, 800, 1333), new int[] {800, 1066});
        assertEquals(RandomResize.targetSize(480, 640, 800, 1333), new int[] {1066, 800});
        // long image: cap binds, target = round(1333 * 200 / 1000) = 267, width = floor(267 * 1000 / 200)
        assertEquals(RandomResize.targetSize(1000, 200, 800, 1333), new int[] {267, 1335});
        assertEquals(RandomResize.targetSize(128, 96, 96, 0), new int[] {96, 128});
        assertEquals(RandomResize.targetSize(100, 100, 64, 0), new int[] {64, 64});
        assertEquals(RandomResize.targetSize(50, 30, 45, 0), new int[] {45, 75});
    }

    @Test
    public void resizeScalesBoxesExactly() {
        Sample s = new Sample(indexed(4, 2), new double[] {1, 0, 3, 2, 0.5, 0.25, 1, 1}, new int[] {1, 2});
        Sample r = new RandomResize(List.of(6), 0).apply(s, new SplittableRandom(0));
        assertEquals(r.image().height(), 6);
        assertEquals(r.image().width(), 12);
        assertBoxes(r.boxes(), 3, 0, 9, 6, 1.5, 0.75, 3, 3);
        assertEquals(r.classes(), new int[] {1, 2});
    }

    @Test
    public void randomResizeDrawsFromItsSizes() {
        Sample s = new Sample(indexed(8, 4), new double[0], new int[0]);
        RandomResize resize = new RandomResize(List.of(2, 3, 5), 0);
        boolean[] seen = new boolean[6];
        for (int seed = 0; seed < 60; seed++) {
            Sample r = resize.apply(s, new SplittableRandom(seed));
            int h = r.image().height();
            assertTrue(h == 2 || h == 3 || h == 5, "height " + h);
            assertEquals(r.image().width(), 2 * h);
            seen[h] = true;
        }
        assertTrue(seen[2] && seen[3] && seen[5]);
    }

    @Test
    public void bilinearUpscaleUsesHalfPixelCentres() {
        // one row [0, 100] per channel -> 4 wide: torch bilinear (align_corners=False) gives 0, 25, 75, 100
        HostImage in = new HostImage(2, 1, new float[] {0, 100, 0, 100, 0, 100});
        HostImage out = Resampler.resize(in, 4, 1);
        float[] expected = {0, 25, 75, 100};
        for (int x = 0; x < 4; x++) {
            assertEquals(out.get(1, 0, x), expected[x], 1e-4);
        }
    }

    @Test
    public void bilinearUpscaleIsSeparableOverBothAxes() {
        // per channel a 2x2 block [[a, b], [c, d]] -> 4 x 4; per-axis weights of inputs (0, 1) at outputs 0..3
        double[][] wgt = {{1, 0}, {0.75, 0.25}, {0.25, 0.75}, {0, 1}};
        float[] px = {0, 10, 20, 30, 5, 50, 100, 200, 255, 0, 0, 255};
        HostImage out = Resampler.resize(new HostImage(2, 2, px), 4, 4);
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 4; y++) {
                for (int x = 0; x < 4; x++) {
                    double expected = 0;
                    for (int i = 0; i < 2; i++) {
                        for (int j = 0; j < 2; j++) {
                            expected += wgt[y][i] * wgt[x][j] * px[c * 4 + i * 2 + j];
                        }
                    }
                    assertEquals(out.get(c, y, x), expected, 1e-4, c + "," + y + "," + x);
                }
            }
        }
        // non-square: a 1-wide column [0, 100] -> 3 wide, 4 high: rows 0, 25, 75, 100, constant along x
        HostImage col = Resampler.resize(new HostImage(1, 2, new float[] {0, 100, 0, 100, 0, 100}), 3, 4);
        float[] rows = {0, 25, 75, 100};
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 3; x++) {
                assertEquals(col.get(2, y, x), rows[y], 1e-4);
            }
        }
    }

    @Test
    public void downscaleIsAntialiased() {
        // [0, 0, 100, 100] -> 2 wide, triangle of half-width 2: weights 0.75, 0.75, 0.25 (normalised by 1.75)
        HostImage in = new HostImage(4, 1, new float[] {0, 0, 100, 100, 0, 0, 100, 100, 0, 0, 100, 100});
        HostImage out = Resampler.resize(in, 2, 1);
        assertEquals(out.get(0, 0, 0), 100f / 7, 1e-4);
        assertEquals(out.get(2, 0, 1), 600f / 7, 1e-4);
    }

    @Test
    public void resizeKeepsConstantImagesConstant() {
        float[] px = new float[3 * 7 * 5];
        for (int i = 0; i < px.length; i++) {
            px[i] = i < 35 ? 12 : i < 70 ? 200 : 77;
        }
        HostImage out = Resampler.resize(new HostImage(7, 5, px), 3, 11);
        for (int y = 0; y < 11; y++) {
            for (int x = 0; x < 3; x++) {
                assertEquals(out.get(0, y, x), 12f, 1e-4);
                assertEquals(out.get(1, y, x), 200f, 1e-4);
                assertEquals(out.get(2, y, x), 77f, 1e-4);
            }
        }
    }

    @Test
    public void cropShiftsClipsAndDropsBoxes() {
        double[] boxes = {
            2, 1, 6, 5, // partly above-left of the region: clipped to (0, 0, 3, 3)
            7, 4, 9, 7, // sticks out right: (4, 2, 6, 5) clipped to (4, 2, 5, 4)
            0, 0, 1, 1, // outside: dropped
            8, 2, 9, 3, // touches the region's right edge only: becomes empty, dropped
        };
        Sample s = new Sample(indexed(10, 8), boxes, new int[] {0, 1, 2, 3});
        Sample c = RandomSizeCrop.crop(s, 2, 3, 4, 5);
        assertEquals(c.image().width(), 5);
        assertEquals(c.image().height(), 4);
        assertBoxes(c.boxes(), 0, 0, 3, 3, 4, 2, 5, 4);
        assertEquals(c.classes(), new int[] {0, 1});
        for (int ch = 0; ch < 3; ch++) {
            for (int y = 0; y < 4; y++) {
                for (int x = 0; x < 5; x++) {
                    assertEquals(c.image().get(ch, y, x), s.image().get(ch, y + 2, x + 3));
                }
            }
        }
    }

    @Test
    public void randomCropStaysWithinSizesAndImage() {
        Sample s = new Sample(indexed(20, 12), new double[] {0, 0, 20, 12, 5, 5, 6, 6}, new int[] {0, 1});
        RandomSizeCrop crop = new RandomSizeCrop(4, 15);
        for (int seed = 0; seed < 200; seed++) {
            Sample c = crop.apply(s, new SplittableRandom(seed));
            int w = c.image().width();
            int h = c.image().height();
            assertTrue(w >= 4 && w <= 15 && h >= 4 && h <= 12, w + "x" + h);
            assertTrue(c.count() >= 1, "the full-image box always survives");
            assertBoxes(new double[] {c.boxes()[0], c.boxes()[1], c.boxes()[2], c.boxes()[3]}, 0, 0, w, h);
            for (int i = 0; i < c.boxes().length; i += 4) {
                assertTrue(c.boxes()[i + 2] <= w && c.boxes()[i + 3] <= h);
            }
        }
    }

    @Test
    public void detrRecipeIsAFunctionOfTheGenerator() {
        Augmentation train = Augmentations.detrTrain(List.of(8, 10, 12), 20, List.of(10, 12), 6, 10);
        Sample s = new Sample(indexed(16, 12), new double[] {2, 2, 10, 8}, new int[] {3});
        java.util.Set<String> outcomes = new java.util.HashSet<>();
        for (int seed = 0; seed < 20; seed++) {
            Sample a = train.apply(s, new SplittableRandom(seed));
            Sample b = train.apply(s, new SplittableRandom(seed));
            outcomes.add(a.image().width() + "x" + a.image().height() + java.util.Arrays.toString(a.boxes()));
            assertEquals(a.boxes(), b.boxes());
            assertEquals(a.image().pixels(), b.image().pixels());
            int shorter = Math.min(a.image().width(), a.image().height());
            assertTrue(shorter == 8 || shorter == 10 || shorter == 12, "shorter side " + shorter);
        }
        assertTrue(outcomes.size() > 5, "different seeds give different samples: " + outcomes.size());
        assertEquals(Augmentations.range(480, 800, 32).size(), 11);
    }
}
