package org.detrkd.datasets.djl;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertThrows;
import static org.testng.Assert.assertTrue;

import java.util.List;
import org.detrkd.datasets.coco.CocoCategory;
import org.testng.annotations.Test;

public class CategoryIndexTest {
    private static final List<CocoCategory> GAPPED = List.of(
            new CocoCategory(90, "toothbrush", "indoor"),
            new CocoCategory(1, "person", "person"),
            new CocoCategory(17, "cat", "animal"),
            new CocoCategory(3, "car", "vehicle"));

    @Test
    public void mapsGappedIdsToContiguousIndicesInIdOrder() {
        CategoryIndex index = CategoryIndex.of(GAPPED);
        assertEquals(index.size(), 4);
        assertEquals(index.indexOf(1), 0);
        assertEquals(index.indexOf(3), 1);
        assertEquals(index.indexOf(17), 2);
        assertEquals(index.indexOf(90), 3);
        assertEquals(index.categoryId(0), 1);
        assertEquals(index.categoryId(1), 3);
        assertEquals(index.categoryId(2), 17);
        assertEquals(index.categoryId(3), 90);
        assertEquals(index.name(2), "cat");
        assertEquals(index.ids(), new long[] {1, 3, 17, 90});
        for (int k = 0; k < index.size(); k++) {
            assertEquals(index.indexOf(index.categoryId(k)), k);
        }
    }

    @Test
    public void unknownIdsAndIndicesFail() {
        CategoryIndex index = CategoryIndex.of(GAPPED);
        assertFalse(index.contains(2));
        assertTrue(index.contains(17));
        IllegalArgumentException e = null;
        try {
            index.indexOf(2);
        } catch (IllegalArgumentException ex) {
            e = ex;
        }
        assertEquals(e == null ? null : e.getMessage(), "unknown category id 2");
        assertThrows(IndexOutOfBoundsException.class, () -> index.categoryId(4));
    }

    @Test
    public void duplicateIdsAreRejected() {
        List<CocoCategory> dup = List.of(new CocoCategory(5, "a", ""), new CocoCategory(5, "b", ""));
        try {
            CategoryIndex.of(dup);
            throw new AssertionError("expected a failure");
        } catch (IllegalArgumentException e) {
            assertEquals(e.getMessage(), "duplicate category id 5");
        }
    }
}
