package org.detrkd.datasets.eval;

/**
 * Stable sorts of index arrays by a double key, highest first: numpy's {@code argsort(-key, kind='mergesort')},
 * which pycocotools uses for detection scores, so equal scores keep their input order.
 */
final class StableSort {
    private static final int INSERTION_LIMIT = 24;

    private StableSort() {}

    /**
     * Sorts {@code idx[from, to)} so that {@code key[idx[i]]} does not increase; ties keep their order.
     *
     * @param tmp scratch space of at least {@code to} entries
     */
    static void descending(double[] key, int[] idx, int from, int to, int[] tmp) {
        if (to - from <= INSERTION_LIMIT) {
            insertion(key, idx, from, to);
            return;
        }
        int mid = (from + to) >>> 1;
        descending(key, idx, from, mid, tmp);
        descending(key, idx, mid, to, tmp);
        if (key[idx[mid - 1]] >= key[idx[mid]]) {
            return; // already in order
        }
        System.arraycopy(idx, from, tmp, from, to - from);
        int i = from;
        int j = mid;
        int o = from;
        while (i < mid && j < to) {
            // take from the right only when strictly greater: stability
            idx[o++] = key[tmp[j]] > key[tmp[i]] ? tmp[j++] : tmp[i++];
        }
        while (i < mid) {
            idx[o++] = tmp[i++];
        }
        while (j < to) {
            idx[o++] = tmp[j++];
        }
    }

    private static void insertion(double[] key, int[] idx, int from, int to) {
        for (int i = from + 1; i < to; i++) {
            int v = idx[i];
            double kv = key[v];
            int j = i - 1;
            while (j >= from && key[idx[j]] < kv) {
                idx[j + 1] = idx[j];
                j--;
            }
            idx[j + 1] = v;
        }
    }
}
