package org.detrkd.datasets.coco;

/**
 * A small open-addressing hash map from {@code long} keys to non-negative {@code int} values, used by the validator
 * and the statistics to index image and category ids (118k images, 860k annotations for train2017) without boxing
 * a {@code Long} per entry.
 */
final class LongIntMap {
    /** Returned by {@link #get} for an absent key. */
    static final int MISSING = -1;

    private long[] keys;
    private int[] values;
    private boolean[] used;
    private int size;
    private int mask;

    /** @param expected the number of keys expected, to size the table once */
    LongIntMap(int expected) {
        int capacity = Integer.highestOneBit(Math.max(4, expected) * 2 - 1) << 1;
        allocate(capacity);
    }

    private void allocate(int capacity) {
        keys = new long[capacity];
        values = new int[capacity];
        used = new boolean[capacity];
        mask = capacity - 1;
        size = 0;
    }

    private int slot(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        int i = (int) (h ^ (h >>> 32)) & mask;
        while (used[i] && keys[i] != key) {
            i = (i + 1) & mask;
        }
        return i;
    }

    /** The value stored for {@code key}, or {@link #MISSING}. */
    int get(long key) {
        int i = slot(key);
        return used[i] ? values[i] : MISSING;
    }

    /**
     * Stores {@code value} for {@code key} unless the key is present.
     *
     * @param value a non-negative value
     * @return the value already stored for the key (which is kept), or {@link #MISSING} when the key was new
     */
    int putIfAbsent(long key, int value) {
        if (value < 0) {
            throw new IllegalArgumentException("negative value " + value);
        }
        int i = slot(key);
        if (used[i]) {
            return values[i];
        }
        used[i] = true;
        keys[i] = key;
        values[i] = value;
        if (++size * 2 > keys.length) {
            grow();
        }
        return MISSING;
    }

    /** The number of keys. */
    int size() {
        return size;
    }

    private void grow() {
        long[] oldKeys = keys;
        int[] oldValues = values;
        boolean[] oldUsed = used;
        allocate(oldKeys.length * 2);
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldUsed[i]) {
                putIfAbsent(oldKeys[i], oldValues[i]);
            }
        }
    }
}
