package org.detrkd.datasets.djl;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.detrkd.datasets.coco.CocoCategory;

/**
 * Maps COCO category ids, which may have gaps (COCO's run 1..90 with 80 used), to contiguous class indices
 * {@code 0..K-1} in increasing id order, and back. Training targets use the indices; post-processing maps
 * predicted indices back to ids to write COCO detections. The "no object" class of DETR is index {@code K}, outside
 * this map.
 */
public final class CategoryIndex {
    private final long[] ids;
    private final String[] names;

    private CategoryIndex(long[] ids, String[] names) {
        this.ids = ids;
        this.names = names;
    }

    /**
     * Builds the index of a {@code categories} list (any order).
     *
     * @throws IllegalArgumentException when an id occurs twice
     */
    public static CategoryIndex of(List<CocoCategory> categories) {
        List<CocoCategory> sorted = new ArrayList<>(categories);
        sorted.sort(Comparator.comparingLong(CocoCategory::id));
        long[] ids = new long[sorted.size()];
        String[] names = new String[sorted.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = sorted.get(i).id();
            names[i] = sorted.get(i).name();
            if (i > 0 && ids[i] == ids[i - 1]) {
                throw new IllegalArgumentException("duplicate category id " + ids[i]);
            }
        }
        return new CategoryIndex(ids, names);
    }

    /** The number of classes K. */
    public int size() {
        return ids.length;
    }

    /** Whether {@code categoryId} is in the map. */
    public boolean contains(long categoryId) {
        return Arrays.binarySearch(ids, categoryId) >= 0;
    }

    /**
     * The contiguous index of a category id.
     *
     * @throws IllegalArgumentException for an unknown id
     */
    public int indexOf(long categoryId) {
        int i = Arrays.binarySearch(ids, categoryId);
        if (i < 0) {
            throw new IllegalArgumentException("unknown category id " + categoryId);
        }
        return i;
    }

    /**
     * The category id of a contiguous index.
     *
     * @throws IndexOutOfBoundsException outside {@code 0..K-1}
     */
    public long categoryId(int index) {
        return ids[index];
    }

    /** The category name of a contiguous index. */
    public String name(int index) {
        return names[index];
    }

    /** The ids in index order (a copy). */
    public long[] ids() {
        return ids.clone();
    }
}
