package org.detrkd.datasets.eval;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import org.detrkd.datasets.coco.CocoDetections;
import org.testng.annotations.Test;

/**
 * Results are bit-for-bit independent of the thread count, on a 200-image generated case (the benchmark's generator
 * at a test-friendly size) and on a reference case; the generator is deterministic.
 */
public class CocoEvaluatorThreadsTest {

    private static void assertSameBits(EvalResult a, EvalResult b) {
        EvalParams p = a.params();
        assertEquals(a.stats(), b.stats());
        for (int t = 0; t < p.numIou(); t++) {
            for (int k = 0; k < a.numCategories(); k++) {
                for (int ar = 0; ar < p.numAreas(); ar++) {
                    for (int m = 0; m < p.numMaxDets(); m++) {
                        assertEquals(Double.doubleToRawLongBits(a.recall(t, k, ar, m)),
                                Double.doubleToRawLongBits(b.recall(t, k, ar, m)));
                        for (int r = 0; r < p.numRecall(); r++) {
                            assertEquals(Double.doubleToRawLongBits(a.precision(t, r, k, ar, m)),
                                    Double.doubleToRawLongBits(b.precision(t, r, k, ar, m)));
                        }
                    }
                }
            }
        }
        for (int k = 0; k < a.numCategories(); k++) {
            assertEquals(a.perCategory().get(k).stats(), b.perCategory().get(k).stats());
        }
    }

    @Test
    public void generatedCaseSameForOneTwoAndFiveThreads() {
        SyntheticEvalCase c = SyntheticEvalCase.generate(200, 7);
        EvalResult one = new CocoEvaluator(1).run(c.gt(), "gt", c.detections(), "dt");
        EvalResult two = new CocoEvaluator(2).run(c.gt(), "gt", c.detections(), "dt");
        EvalResult five = new CocoEvaluator(5).run(c.gt(), "gt", c.detections(), "dt");
        assertSameBits(one, two);
        assertSameBits(one, five);
        // a realistic, non-degenerate case: AP well inside (0, 1), all 80 categories present
        assertEquals(one.numCategories(), 80);
        assertTrue(one.stat("AP") > 0.1 && one.stat("AP") < 0.9, "AP " + one.stat("AP"));
        assertTrue(one.stat("APs") > 0 && one.stat("APm") > 0 && one.stat("APl") > 0);
    }

    /** Every entry of the full arrays against a literal port of pycocotools' loops, on 60 generated images. */
    @Test
    public void generatedCaseMatchesBruteForcePort() {
        SyntheticEvalCase c = SyntheticEvalCase.generate(60, 5);
        EvalResult fast = new CocoEvaluator(2).run(c.gt(), "gt", c.detections(), "dt");
        NaiveCocoEval naive = new NaiveCocoEval(c.gt(), c.detections());
        EvalParams p = fast.params();
        int nonTrivial = 0;
        for (int t = 0; t < p.numIou(); t++) {
            for (int k = 0; k < fast.numCategories(); k++) {
                for (int ar = 0; ar < p.numAreas(); ar++) {
                    for (int m = 0; m < p.numMaxDets(); m++) {
                        assertEquals(fast.recall(t, k, ar, m), naive.recall[t][k][ar][m], 0.0);
                        for (int r = 0; r < p.numRecall(); r++) {
                            double v = naive.precision[t][r][k][ar][m];
                            assertEquals(fast.precision(t, r, k, ar, m), v, 0.0);
                            nonTrivial += v > 0 && v < 1 ? 1 : 0;
                        }
                    }
                }
            }
        }
        assertTrue(nonTrivial > 10_000, "the case exercises partial precision: " + nonTrivial);
    }

    @Test
    public void referenceCaseSameForOneAndThreeThreads() {
        assertSameBits(ReferenceCases.evaluate("small", 1), ReferenceCases.evaluate("small", 3));
    }

    @Test
    public void generatorIsDeterministicAndShapedLikeVal2017() {
        SyntheticEvalCase a = SyntheticEvalCase.generate(200, 11);
        SyntheticEvalCase b = SyntheticEvalCase.generate(200, 11);
        CocoDetections da = a.detections();
        CocoDetections db = b.detections();
        assertEquals(da.size(), db.size());
        for (int i = 0; i < da.size(); i++) {
            assertEquals(da.imageId(i), db.imageId(i));
            assertEquals(da.categoryId(i), db.categoryId(i));
            assertEquals(da.x(i), db.x(i), 0.0);
            assertEquals(da.w(i), db.w(i), 0.0);
            assertEquals(da.score(i), db.score(i), 0.0);
        }
        assertEquals(a.gt(), b.gt());
        assertEquals(a.gt().images().size(), 200);
        // about 98 detections and 7 GT boxes per image
        assertTrue(da.size() >= 200 * 90 && da.size() <= 200 * 106, "detections " + da.size());
        int gt = a.gt().annotations().size();
        assertTrue(gt > 200 * 5 && gt < 200 * 9, "gt " + gt);
        CocoDetections other = SyntheticEvalCase.generate(200, 12).detections();
        boolean differs = other.size() != da.size();
        for (int i = 0; i < Math.min(50, other.size()) && !differs; i++) {
            differs = other.x(i) != da.x(i) || other.score(i) != da.score(i);
        }
        assertTrue(differs, "another seed gives another case");
    }
}
