package org.detrkd.datasets.eval;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import java.util.List;
import org.detrkd.datasets.coco.CocoAnnotation;
import org.detrkd.datasets.coco.CocoCategory;
import org.detrkd.datasets.coco.CocoDataset;
import org.detrkd.datasets.coco.CocoDetections;
import org.detrkd.datasets.coco.CocoImage;
import org.testng.annotations.Test;

public class PerturbedDetectionsTest {
    private static CocoDataset gt() {
        List<CocoImage> images = List.of(new CocoImage(1, "a.png", 100, 100), new CocoImage(2, "b.png", 100, 100));
        List<CocoCategory> cats = List.of(new CocoCategory(3, "a", ""), new CocoCategory(7, "b", ""));
        List<CocoAnnotation> anns = List.of(
                new CocoAnnotation(1, 1, 3, 10, 10, 30, 20, 600, false),
                new CocoAnnotation(2, 1, 7, 50, 40, 40, 50, 2000, false),
                new CocoAnnotation(3, 2, 3, 5, 60, 60, 30, 1800, false),
                new CocoAnnotation(4, 2, 7, 0, 0, 10, 10, 100, true));
        return new CocoDataset(images, cats, anns);
    }

    @Test
    public void perfectSettingsReproduceTheBoxesAndScoreApOne() {
        CocoDataset gt = gt();
        CocoDetections d = new PerturbedDetections(1.0, 0.0, 0.0, 0).apply(gt, 5);
        assertEquals(d.size(), 3, "every non-crowd box found, the crowd skipped");
        assertEquals(d.x(1), 50.0);
        assertEquals(d.h(1), 50.0);
        EvalResult r = new CocoEvaluator(1).run(gt, "gt", d, "dt");
        assertEquals(r.stats()[0], 1.0, 1e-12);
    }

    @Test
    public void noiseLowersApAndSeedDeterminesOutput() {
        CocoDataset gt = gt();
        PerturbedDetections p = new PerturbedDetections(0.9, 0.15, 0.1, 4);
        CocoDetections a = p.apply(gt, 11);
        CocoDetections b = p.apply(gt, 11);
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.x(i), b.x(i));
            assertEquals(a.score(i), b.score(i));
        }
        double ap = new CocoEvaluator(1).run(gt, "gt", a, "dt").stats()[0];
        assertTrue(ap < 1.0 && ap >= 0.0, "AP " + ap);
    }

    @Test(expectedExceptions = IllegalArgumentException.class,
            expectedExceptionsMessageRegExp = "recall and confusion must be in \\[0, 1\\]")
    public void rejectsImpossibleRecall() {
        new PerturbedDetections(1.5, 0, 0, 0);
    }
}
