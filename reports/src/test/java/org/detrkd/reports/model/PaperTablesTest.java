package org.detrkd.reports.model;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import java.util.List;
import java.util.Map;
import org.testng.annotations.Test;

/** Look-ups in the shipped paper tables, checked against numbers read from the paper's tables. */
public class PaperTablesTest {
    private final PaperTables paper = PaperTables.get();

    @Test
    public void table3GroupRow() {
        PaperRef ref = new PaperRef("table3", "AdaMixer (100 queries, 12 epochs)", "DETRDistill", null);
        assertEquals(paper.lookup(ref).orElseThrow(), Map.of("AP", 44.7, "APs", 26.7, "APm", 47.6, "APl", 61.0));
        assertEquals(paper.lookupBaseline(ref).orElseThrow().get("AP"), 42.3);
        assertEquals(paper.baselineRow("table3", "Conditional DETR (300 queries, 50 epochs)", "FGD").orElseThrow(),
                "student");
    }

    @Test
    public void table1EpochColumns() {
        PaperRef ref = new PaperRef("table1", null, "FGD", "AP@epoch8");
        assertEquals(paper.lookup(ref).orElseThrow(), Map.of("AP", 39.1));
        assertEquals(paper.lookupBaseline(ref).orElseThrow(), Map.of("AP", 38.7));
        assertTrue(paper.lookup(new PaperRef("table1", null, "FGD", null)).isEmpty(), "table 1 needs a column");
    }

    @Test
    public void table6RowsAreKeyedByTheirFlags() {
        assertEquals(paper.rows("table6", null), List.of("none", "pos_cls", "pos_reg", "neg_reg", "pos_cls+pos_reg",
                "pos_reg+neg_reg", "pos_cls+pos_reg+neg_reg"));
        assertEquals(paper.lookup(new PaperRef("table6", null, "neg_reg", null)).orElseThrow().get("AP"), 43.4);
        assertEquals(paper.baselineRow("table6", null, "neg_reg").orElseThrow(), "none");
    }

    @Test
    public void table4StageVariantsAndReadme() {
        assertEquals(paper.lookup(new PaperRef("table4", "6/3", "DETRDistill", null)).orElseThrow().get("APl"), 56.0);
        assertEquals(paper.groups("table4"), List.of("6/6", "6/3", "3/6", "3/3"));
        assertEquals(paper.baselineRow("released_code_readme", null, "R18 DETRDistill").orElseThrow(), "R18 student");
        assertEquals(paper.lookup(new PaperRef("released_code_readme", null, "R18 DETRDistill", null)).orElseThrow(),
                Map.of("AP", 43.3));
    }

    @Test
    public void unknownCellsAreEmpty() {
        assertTrue(paper.lookup(new PaperRef("table9", null, "x", null)).isEmpty());
        assertTrue(paper.lookup(new PaperRef("table5", null, "LD+AD", null)).isEmpty());
        assertTrue(paper.lookup(new PaperRef(null, null, "student", null)).isEmpty());
    }
}
