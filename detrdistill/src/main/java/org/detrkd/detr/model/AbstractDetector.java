package org.detrkd.detr.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * What the three detectors share: the DJL block entry point, which maps {@code NDList(images[, pixelMask[,
 * extraQueries]])} onto {@link #forward(ParameterStore, NDArray, NDArray, NDArray, boolean)} and returns the {@link
 * DetrOutputs} layout, and the self-attention mask that isolates an extra query group.
 */
public abstract class AbstractDetector extends AbstractBlock implements Detector {

    /**
     * @param mgr the manager of the batch
     * @param q number of main queries
     * @param g number of queries in the extra group
     * @return {@code [Q + G, Q + G]} boolean, true where query and key belong to different groups (masked)
     */
    public static NDArray isolatingMask(NDManager mgr, int q, int g) {
        int n = q + g;
        boolean[] m = new boolean[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                m[i * n + j] = (i < q) != (j < q);
            }
        }
        try (NDArray wrapped = mgr.create(m, new Shape(n, n))) {
            return wrapped.duplicate(); // libtorch-owned: safe if a scope closes the Java handle before the backward
        }
    }

    /** Inputs {@code (images[, pixelMask[, extraQueries]])}; outputs in the {@link DetrOutputs} layout. */
    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> p) {
        NDArray mask = in.size() > 1 ? in.get(1) : null;
        NDArray extra = in.size() > 2 ? in.get(2) : null;
        return forward(ps, in.get(0), mask, extra, training).toNDList();
    }
}
