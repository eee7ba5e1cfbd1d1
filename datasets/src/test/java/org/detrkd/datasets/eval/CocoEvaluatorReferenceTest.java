package org.detrkd.datasets.eval;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import org.testng.annotations.DataProvider;
import org.testng.annotations.Test;

/**
 * The evaluator against pycocotools 2.0.11 on the three shared reference cases: the 12 statistics, the per-category
 * values, and every entry of the full precision and recall arrays, to 1e-9.
 */
public class CocoEvaluatorReferenceTest {
    private static final double TOL = 1e-9;
    /** per-category reference values are rounded to 6 places. */
    private static final double ROUNDED_TOL = 5e-7 + 1e-12;

    @DataProvider
    public Object[][] cases() {
        Object[][] c = new Object[ReferenceCases.NAMES.length][];
        for (int i = 0; i < c.length; i++) {
            c[i] = new Object[] {ReferenceCases.NAMES[i]};
        }
        return c;
    }

    @Test(dataProvider = "cases")
    public void statsMatchPycocotools(String name) throws IOException {
        EvalResult r = ReferenceCases.evaluate(name, 2);
        JsonNode exact = ReferenceCases.json(name, "expected.json").get("stats_exact");
        assertEquals(exact.size(), 12);
        for (int i = 0; i < 12; i++) {
            double want = Double.parseDouble(exact.get(i).asText());
            assertEquals(r.stats()[i], want, TOL, name + " " + EvalResult.STAT_NAMES.get(i));
        }
    }

    @Test(dataProvider = "cases")
    public void perCategoryMatchesPycocotools(String name) throws IOException {
        EvalResult r = ReferenceCases.evaluate(name, 1);
        JsonNode per = ReferenceCases.json(name, "expected.json").get("per_category");
        assertEquals(r.perCategory().size(), per.size(), "number of categories");
        for (EvalResult.CategoryStats c : r.perCategory()) {
            JsonNode want = per.get(Long.toString(c.id()));
            assertTrue(want != null, name + ": category " + c.id() + " missing from the reference");
            for (String stat : EvalResult.STAT_NAMES) {
                assertEquals(c.stat(stat), want.get(stat).asDouble(), ROUNDED_TOL, name + " cat " + c.id() + " " + stat);
            }
        }
    }

    @Test(dataProvider = "cases")
    public void fullArraysMatchPycocotools(String name) throws IOException {
        EvalResult r = ReferenceCases.evaluate(name, 2);
        JsonNode full = ReferenceCases.json(name, "full_eval.json");
        EvalParams p = r.params();
        JsonNode iou = full.get("iouThrs");
        for (int t = 0; t < p.numIou(); t++) {
            assertEquals(p.iouThr(t), Double.parseDouble(iou.get(t).asText()), 0.0, "iouThrs[" + t + "]");
        }
        JsonNode rec = full.get("recThrs");
        for (int i = 0; i < p.numRecall(); i++) {
            assertEquals(p.recThr(i), Double.parseDouble(rec.get(i).asText()), 0.0, "recThrs[" + i + "]");
        }
        JsonNode cats = full.get("catIds");
        assertEquals(r.numCategories(), cats.size());
        for (int k = 0; k < cats.size(); k++) {
            assertEquals(r.categoryId(k), cats.get(k).asLong());
        }
        JsonNode shape = full.get("precision_shape_TRKAM");
        assertEquals(shape.get(0).asInt(), p.numIou());
        assertEquals(shape.get(1).asInt(), p.numRecall());
        assertEquals(shape.get(2).asInt(), r.numCategories());
        assertEquals(shape.get(3).asInt(), p.numAreas());
        assertEquals(shape.get(4).asInt(), p.numMaxDets());
        JsonNode prec = full.get("precision");
        JsonNode recall = full.get("recall");
        int checked = 0;
        for (int t = 0; t < p.numIou(); t++) {
            for (int k = 0; k < r.numCategories(); k++) {
                for (int a = 0; a < p.numAreas(); a++) {
                    for (int m = 0; m < p.numMaxDets(); m++) {
                        double want = recall.get(t).get(k).get(a).get(m).asDouble();
                        assertEquals(r.recall(t, k, a, m), want, TOL,
                                name + " recall[" + t + "," + k + "," + a + "," + m + "]");
                        checked++;
                        for (int i = 0; i < p.numRecall(); i++) {
                            double wp = prec.get(t).get(i).get(k).get(a).get(m).asDouble();
                            assertEquals(r.precision(t, i, k, a, m), wp, TOL,
                                    name + " precision[" + t + "," + i + "," + k + "," + a + "," + m + "]");
                            checked++;
                        }
                    }
                }
            }
        }
        assertEquals(checked, p.numIou() * r.numCategories() * p.numAreas() * p.numMaxDets() * (1 + p.numRecall()));
    }
}
