package org.detrkd.detr.detrdistill;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;

/** Small graph-safe helpers shared by the DETRDistill components. */
final class Tensors {

    private Tensors() {}

    /**
     * An int64 index array whose memory libtorch owns (the engine wraps Java buffers without copying; an index kept
     * by autograd must not point into a Java buffer that may be freed before backward).
     */
    static NDArray index(NDManager manager, long[] values) {
        try (NDArray host = manager.create(values)) {
            return host.duplicate();
        }
    }

    /** Rows of {@code x} reshaped to {@code [rows, last]} at the given flat indices: {@code [n, last]}. */
    static NDArray rows(NDArray x, long rows, long[] flat) {
        NDArray idx = index(x.getManager(), flat);
        return x.reshape(rows, x.getShape().getLastDimension()).get(new NDIndex("{}", idx));
    }

    /** A scalar zero that is part of the graph of {@code like} (zero gradient), for an empty term. */
    static NDArray zeroOf(NDArray like) {
        return like.sum().mul(org.detrkd.detr.util.Scalars.constant(like, 0));
    }
}
