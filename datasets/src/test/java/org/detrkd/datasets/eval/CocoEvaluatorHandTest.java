package org.detrkd.datasets.eval;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.expectThrows;

import java.util.ArrayList;
import java.util.List;
import org.detrkd.datasets.coco.CocoAnnotation;
import org.detrkd.datasets.coco.CocoCategory;
import org.detrkd.datasets.coco.CocoDataset;
import org.detrkd.datasets.coco.CocoDetections;
import org.detrkd.datasets.coco.CocoImage;
import org.detrkd.datasets.io.InputException;
import org.testng.annotations.Test;

/** Tiny cases worked out by hand, and the evaluator's input checks. */
public class CocoEvaluatorHandTest {
    private static final double EPS = Math.ulp(1.0);

    private static CocoDataset gt(List<CocoAnnotation> anns) {
        return new CocoDataset(List.of(new CocoImage(7, "a.jpg", 100, 100), new CocoImage(3, "b.jpg", 100, 100)),
                List.of(new CocoCategory(5, "cat", ""), new CocoCategory(2, "dog", "")), anns);
    }

    private static EvalResult run(CocoDataset gt, CocoDetections dt) {
        return new CocoEvaluator(1).run(gt, "gt.json", dt, "dt.json");
    }

    /**
     * Image 7, category 5: GT A = [20,20,10,10] and B = [0,0,10,10] (both small). Detections by score: d1 on A
     * (IoU 1), d2 far away (FP), d3 = [0,0,10,6] on B (IoU 60/100 = 0.6, exactly threshold 2). So at thresholds
     * 0.50, 0.55, 0.60 the sequence is TP FP TP, at 0.65..0.95 it is TP FP FP.
     */
    @Test
    public void twoBoxesThreeDetectionsByHand() {
        CocoDataset g = gt(List.of(
                new CocoAnnotation(1, 7, 5, 20, 20, 10, 10, 100, false),
                new CocoAnnotation(2, 7, 5, 0, 0, 10, 10, 100, false)));
        CocoDetections d = CocoDetections.builder(3)
                .add(7, 5, 0, 0, 10, 6, 0.7)
                .add(7, 5, 20, 20, 10, 10, 0.9)
                .add(7, 5, 60, 60, 10, 10, 0.8)
                .build();
        EvalResult r = run(g, d);
        // precision after the first TP is 1/(1+eps); recall 0.5 up to recall threshold 50 (0.5), 1 after
        double first = 1 / (1 + EPS);
        double apMatched = (51 * first + 50 * (2.0 / 3)) / 101; // TP FP TP: 2/3 for recall > 0.5
        double apMissed = 51 * first / 101; // TP FP FP: 0 beyond recall 0.5
        double[] s = r.stats();
        assertEquals(s[0], (3 * apMatched + 7 * apMissed) / 10, 1e-15, "AP");
        assertEquals(s[1], apMatched, 1e-15, "AP50");
        assertEquals(s[2], apMissed, 1e-15, "AP75");
        assertEquals(s[3], s[0], 1e-15, "APs: all boxes are small");
        assertEquals(s[4], -1.0, "APm: no medium GT");
        assertEquals(s[5], -1.0, "APl");
        assertEquals(s[6], 0.5, 1e-15, "AR1: only d1 counts");
        assertEquals(s[7], 0.65, 1e-15, "AR10: recall 1 at 3 thresholds, 0.5 at 7");
        assertEquals(s[8], 0.65, 1e-15, "AR100");
        assertEquals(s[9], 0.65, 1e-15, "ARs");
        assertEquals(s[10], -1.0);
        assertEquals(s[11], -1.0);
        // category 2 (index 0 in sorted ids) has no GT: all -1, and it is left out of the means
        assertEquals(r.perCategory().get(0).id(), 2);
        assertEquals(r.perCategory().get(0).stat("AP"), -1.0);
        assertEquals(r.perCategory().get(1).stat("AP"), s[0], 0.0);
        assertEquals(r.precision(2, 51, 1, 0, 2), 2.0 / 3, 0.0);
        assertEquals(r.precision(3, 51, 1, 0, 2), 0.0);
        assertEquals(r.recall(2, 1, 0, 2), 1.0);
        assertEquals(r.recall(3, 1, 0, 2), 0.5);
        assertEquals(r.recall(0, 0, 0, 2), -1.0);
    }

    /** A crowd absorbs any number of detections, which are then ignored: only the regular GT counts. */
    @Test
    public void crowdAbsorbsDetections() {
        CocoDataset g = gt(List.of(
                new CocoAnnotation(1, 3, 2, 0, 0, 50, 50, 2500, true),
                new CocoAnnotation(2, 3, 2, 60, 60, 20, 20, 400, false)));
        CocoDetections.Builder b = CocoDetections.builder(4);
        b.add(3, 2, 0, 0, 10, 10, 0.95); // inside the crowd: IoU = 100/100 = 1 -> ignored
        b.add(3, 2, 10, 10, 10, 10, 0.9); // inside the crowd too
        b.add(3, 2, 60, 60, 20, 20, 0.5); // the regular GT
        EvalResult r = run(g, b.build());
        assertEquals(r.stat("AP"), 1 / (1 + EPS), 1e-15, "the ignored detections cost nothing");
        assertEquals(r.stat("AR1"), 0.0, "maxDets=1 keeps only the top-scored, ignored detection");
        assertEquals(r.stat("AR100"), 1.0);
    }

    @Test
    public void detectionOnUnknownImageIsAnError() {
        CocoDataset g = gt(List.of(new CocoAnnotation(1, 7, 5, 20, 20, 10, 10, 100, false)));
        CocoDetections d = CocoDetections.builder(2).add(7, 5, 0, 0, 1, 1, 0.5).add(8, 5, 0, 0, 1, 1, 0.5).build();
        InputException e = expectThrows(InputException.class, () -> run(g, d));
        assertEquals(e.getMessage(), "dt.json: /1: image_id 8 is not an image of the ground truth (2 images)");
    }

    @Test
    public void undeclaredCategoryIsDroppedAndCounted() {
        CocoDataset g = gt(List.of(new CocoAnnotation(1, 7, 5, 20, 20, 10, 10, 100, false)));
        CocoDetections d = CocoDetections.builder(2)
                .add(7, 99, 20, 20, 10, 10, 0.9) // would be a perfect match in another category; dropped
                .add(7, 5, 20, 20, 10, 10, 0.5)
                .build();
        EvalResult r = run(g, d);
        assertEquals(r.toJson().get("dropped_detections"), 1);
        assertEquals(r.toJson().get("detections"), 1);
        assertEquals(r.stat("AP"), 1 / (1 + EPS), 1e-15);
    }

    @Test
    public void repeatedAnnotationIdIsAnError() {
        List<CocoAnnotation> anns = new ArrayList<>();
        anns.add(new CocoAnnotation(4, 7, 5, 20, 20, 10, 10, 100, false));
        anns.add(new CocoAnnotation(9, 7, 5, 0, 0, 10, 10, 100, false));
        anns.add(new CocoAnnotation(4, 3, 5, 0, 0, 10, 10, 100, false));
        InputException e = expectThrows(InputException.class,
                () -> run(gt(anns), CocoDetections.builder(0).build()));
        assertEquals(e.getMessage(),
                "gt.json: /annotations/2/id: annotation id 4 is used more than once; evaluation needs unique annotation ids");
    }

    /** Rule 8: a detection matched to a GT whose id is 0 counts as unmatched (a false positive). */
    @Test
    public void groundTruthIdZeroCountsAsUnmatched() {
        CocoDataset g = gt(List.of(new CocoAnnotation(0, 7, 5, 20, 20, 10, 10, 100, false)));
        CocoDetections d = CocoDetections.builder(1).add(7, 5, 20, 20, 10, 10, 0.9).build();
        EvalResult r = run(g, d);
        assertEquals(r.stat("AP"), 0.0);
        assertEquals(r.stat("AR100"), 0.0);
    }

    @Test
    public void summaryTextHasPycocotoolsLayout() {
        CocoDataset g = gt(List.of(new CocoAnnotation(1, 7, 5, 20, 20, 10, 10, 100, false)));
        CocoDetections d = CocoDetections.builder(1).add(7, 5, 20, 20, 10, 10, 0.9).build();
        String[] lines = run(g, d).summaryText().split("\\R");
        assertEquals(lines.length, 12);
        assertEquals(lines[0], " Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 1.000");
        assertEquals(lines[1], " Average Precision  (AP) @[ IoU=0.50      | area=   all | maxDets=100 ] = 1.000");
        assertEquals(lines[4], " Average Precision  (AP) @[ IoU=0.50:0.95 | area=medium | maxDets=100 ] = -1.000");
        assertEquals(lines[6], " Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets=  1 ] = 1.000");
        assertEquals(lines[9], " Average Recall     (AR) @[ IoU=0.50:0.95 | area= small | maxDets=100 ] = 1.000");
    }

    @Test
    public void pythonStyleRounding() {
        assertEquals(EvalResult.fixed(0.0005, 3), "0.001"); // 0.0005 is stored slightly above 0.0005
        assertEquals(EvalResult.fixed(0.0625, 3), "0.062"); // exact tie: half-even, as Python
        assertEquals(EvalResult.fixed(-1, 3), "-1.000");
    }
}
