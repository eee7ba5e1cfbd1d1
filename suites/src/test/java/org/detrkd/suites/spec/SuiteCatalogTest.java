package org.detrkd.suites.spec;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertNotNull;
import static org.testng.Assert.assertNull;
import static org.testng.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.detrkd.reports.model.Scale;
import org.testng.annotations.DataProvider;
import org.testng.annotations.Test;

/**
 * Every built-in suite parses at every scale and expands to the cell counts counted from the paper's tables, and the
 * paper numbers of its cells are the values of {@code ../shared/reference/paper-tables.json}.
 *
 * <p>Counting (per seed; teacher cells once per setup, at the teacher seed; paper and smoke 1 seed, mini 3):
 * Tab. 1 = 6 rows x 3 epoch schedules = 18; Tab. 2 = 3 rows; Tab. 3 = 3 detectors x (student, FGD, MGD, FitNet,
 * DETRDistill) + DETRDistill released-code on Deformable DETR = 16, + 3 teachers; Tab. 4 = 4 stage variants x
 * (student, DETRDistill) = 8, + 1 teacher; Tab. 5 = 6 rows; Tab. 6 = 7 rows; Tab. 7 = 3 rows; CLoCKDistill = 2
 * detectors x (student, DETRDistill, CLoCKDistill) = 6, + 2 teachers.
 */
public class SuiteCatalogTest {
    /** suite, per-seed cells, teacher cells. */
    @DataProvider
    public Object[][] counts() {
        return new Object[][] {{"table1", 18, 0}, {"table2", 3, 0}, {"table3", 16, 3}, {"table4", 8, 1},
            {"table5", 6, 0}, {"table6", 7, 0}, {"table7", 3, 0}, {"clockdistill", 6, 2}};
    }

    @Test(dataProvider = "counts")
    public void expandsToTheCountedCells(String name, int perSeed, int teachers) {
        SuiteSpec s = SuiteCatalog.builtIn(name);
        assertEquals(s.id(), name);
        assertEquals(SuiteExpander.count(s, Scale.PAPER), perSeed + teachers);
        assertEquals(SuiteExpander.count(s, Scale.SMOKE), perSeed + teachers);
        assertEquals(SuiteExpander.count(s, Scale.MINI), 3 * perSeed + teachers);
        for (Scale sc : Scale.values()) {
            Set<String> runs = new HashSet<>();
            for (Cell c : SuiteExpander.expand(s, sc)) {
                assertTrue(runs.add(c.runId()), "duplicate run " + c.runId());
                assertEquals(c.scale(), sc);
            }
        }
    }

    @Test(dataProvider = "counts")
    public void everyPaperNumberIsTheReferenceValue(String name, int perSeed, int teachers) throws IOException {
        JsonNode tables = sharedPaperTables().get("tables");
        for (Cell c : SuiteExpander.expand(SuiteCatalog.builtIn(name), Scale.MINI)) {
            if (c.paper().table() == null) {
                assertTrue(c.paperValue().isEmpty(), c.runId());
                continue;
            }
            assertTrue(!c.paperValue().isEmpty(), "every cell of a paper table has the paper's number: " + c.runId());
            JsonNode t = tables.get(c.paper().table());
            if (t.has("teacher_AP") && c.method().equals("teacher")) {
                assertEquals(c.paperValue(), Map.of("AP", t.get("teacher_AP").asDouble()), c.runId());
                continue;
            }
            assertEquals(c.paperValue().values().stream().toList(), expected(t, c), c.runId());
        }
    }

    /** The reference numbers of a cell, read independently of PaperTables. */
    private static List<Double> expected(JsonNode table, Cell c) {
        JsonNode rows = c.paper().group() == null ? table.get("rows") : table.get("groups").get(c.paper().group());
        JsonNode values;
        if (rows.isArray()) {
            values = null;
            for (JsonNode r : rows) {
                String key = String.join("+", List.of("pos_cls", "pos_reg", "neg_reg").stream()
                        .filter(k -> r.get(k).asBoolean()).toList());
                if ((key.isEmpty() ? "none" : key).equals(c.paper().row())) {
                    values = r.get("value");
                }
            }
        } else {
            values = rows.get(c.paper().row());
        }
        assertNotNull(values, "no reference row for " + c.runId());
        if (c.paper().column() != null) {
            int i = List.of("AP@epoch4", "AP@epoch8", "AP@epoch12").indexOf(c.paper().column());
            return List.of(values.get(i).asDouble());
        }
        return List.of(values.get(0).asDouble(), values.get(1).asDouble(), values.get(2).asDouble(),
                values.get(3).asDouble());
    }

    @Test
    public void spotChecks() {
        Map<String, Cell> t1 = byRun(SuiteCatalog.builtIn("table1"), Scale.PAPER);
        assertEquals(t1.get("adamixer.fgd.e4.seed0").paperValue(), Map.of("AP", 34.4));
        assertEquals(t1.get("adamixer.fitnet.e12.seed0").paperValue(), Map.of("AP", 42.9));
        assertEquals(t1.get("adamixer.none.e8.seed0").paper().row(), "baseline");
        assertEquals(t1.get("adamixer.none.e8.seed0").paper().column(), "AP@epoch8");
        assertEquals(t1.get("adamixer.none.e8.seed0").schedule().epochs(), 8);
        assertEquals(t1.get("adamixer.fkd.e8.seed0").preset(), "official");

        Map<String, Cell> t3 = byRun(SuiteCatalog.builtIn("table3"), Scale.MINI);
        Cell dd = t3.get("deformable.detrdistill.seed2");
        assertEquals(dd.paper().group(), "Deformable DETR (300 queries, 50 epochs)");
        assertEquals(dd.paperValue().get("AP"), 46.6);
        assertEquals(dd.paperValue().get("APl"), 60.4);
        assertEquals(dd.schedule().epochs(), 4);
        assertEquals(dd.schedule().paperEpochs(), 50);
        assertEquals(t3.get("deformable.detrdistill-released.seed0").preset(), "released-code");
        assertEquals(t3.get("conditional.teacher.seed0").paperValue().get("AP"), 42.4);
        assertEquals(t3.get("conditional.teacher.seed0").teacher().model().backbone(), "mini-teacher");
        assertNull(t3.get("conditional.none.seed1").teacher());
        assertEquals(t3.get("conditional.none.seed1").resultMethod(), "student");

        Map<String, Cell> t4 = byRun(SuiteCatalog.builtIn("table4"), Scale.PAPER);
        Cell c63 = t4.get("conditional.detrdistill.enc6-dec3.seed0");
        assertEquals(c63.paper().group(), "6/3");
        assertEquals(c63.paperValue().get("AP"), 36.6);
        assertEquals(c63.student().decoderStages(), 3);
        assertEquals(c63.teacher().model().decoderStages(), 6);
        assertEquals(c63.teacher().model().backbone(), "resnet101");
        assertEquals(t4.get("conditional.teacher.seed0").paperValue(), Map.of("AP", 36.2));

        Map<String, Cell> t6 = byRun(SuiteCatalog.builtIn("table6"), Scale.SMOKE);
        Cell neg = t6.get("adamixer.neg_reg.seed0");
        assertEquals(neg.paperValue().get("AP"), 43.4);
        MethodOptions.DetrDistill o = (MethodOptions.DetrDistill) neg.options();
        assertTrue(o.logits().negativeBox() && !o.logits().positiveBox() && !o.logits().positiveClass());
        assertTrue(!o.features().enabled() && !o.assignment().enabled());

        Map<String, Cell> t7 = byRun(SuiteCatalog.builtIn("table7"), Scale.PAPER);
        assertEquals(((MethodOptions.DetrDistill) t7.get("adamixer.last-stage.seed0").options()).logits()
                .progressive(), "last-stage");
        assertEquals(t7.get("adamixer.last-stage.seed0").paperValue().get("AP"), 43.1);
    }

    @Test
    public void table6RowsNameTheDistilledTerms() {
        for (Cell c : SuiteExpander.expand(SuiteCatalog.builtIn("table6"), Scale.PAPER)) {
            if (c.options() instanceof MethodOptions.DetrDistill d) {
                StringBuilder terms = new StringBuilder();
                if (d.logits().positiveClass()) {
                    terms.append("+pos_cls");
                }
                if (d.logits().positiveBox()) {
                    terms.append("+pos_reg");
                }
                if (d.logits().negativeBox()) {
                    terms.append("+neg_reg");
                }
                assertEquals(terms.substring(1), c.paper().row());
            } else {
                assertEquals(c.paper().row(), "none");
            }
        }
    }

    @Test
    public void hashesSeparateTeachersAndRuns() {
        SuiteSpec t5 = SuiteCatalog.builtIn("table5");
        SuiteSpec t3 = SuiteCatalog.builtIn("table3");
        Map<String, Cell> a = byRun(t5, Scale.MINI);
        Map<String, Cell> b = byRun(t3, Scale.MINI);
        // the same AdaMixer teacher serves table 5 and table 3: one cache entry
        assertEquals(a.get("adamixer.ld.seed0").teacherHash(), b.get("adamixer.detrdistill.seed0").teacherHash());
        assertEquals(b.get("adamixer.teacher.seed0").teacherHash(), a.get("adamixer.ld.seed0").teacherHash());
        // the plain student of table 5 and table 3 is the same run; seeds and scales differ
        assertEquals(a.get("adamixer.none.seed1").specHash(), b.get("adamixer.none.seed1").specHash());
        assertTrue(!a.get("adamixer.none.seed1").specHash().equals(a.get("adamixer.none.seed2").specHash()));
        // LD+FD+AD with the paper preset is DETRDistill (paper): the same run
        assertEquals(a.get("adamixer.ld+fd+ad.seed0").specHash(), b.get("adamixer.detrdistill.seed0").specHash());
        assertTrue(!a.get("adamixer.ld.seed0").specHash().equals(a.get("adamixer.ld+fd.seed0").specHash()));
        Cell smoke = byRun(t5, Scale.SMOKE).get("adamixer.ld.seed0");
        assertTrue(!smoke.teacherHash().equals(a.get("adamixer.ld.seed0").teacherHash()));
        assertEquals(SuiteExpander.teachers(SuiteExpander.expand(t3, Scale.MINI)).size(), 3);
    }

    private static Map<String, Cell> byRun(SuiteSpec s, Scale scale) {
        Map<String, Cell> out = new java.util.LinkedHashMap<>();
        SuiteExpander.expand(s, scale).forEach(c -> out.put(c.runId(), c));
        return out;
    }

    static JsonNode sharedPaperTables() throws IOException {
        String shared = System.getProperty("detrkd.shared");
        assertNotNull(shared, "system property detrkd.shared (the shared folder) is not set");
        Path p = Path.of(shared, "reference", "paper-tables.json");
        assertTrue(Files.isRegularFile(p), "missing " + p);
        return new ObjectMapper().readTree(p.toFile());
    }
}
