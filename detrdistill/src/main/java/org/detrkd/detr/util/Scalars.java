package org.detrkd.detr.util;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Arithmetic with a Java number that is safe inside the autograd graph.
 *
 * <p>On the CPU, DJL's PyTorch engine wraps Java data without copying it ({@code torch::from_blob} on a direct
 * buffer). {@code x.mul(2f)}, {@code div}, {@code pow}, {@code maximum}, {@code minimum} and {@code rdiv} with a Java
 * number make such a temporary scalar and close it at once; autograd keeps it for the backward pass, and once the
 * buffer is garbage collected the gradients are computed from freed memory: silently wrong. ({@code add}, {@code sub}
 * and {@code clip} with a number are safe: their backward does not read the number.) The constants made here are
 * allocated by libtorch ({@code full}), which owns their memory.
 *
 * <p>Every graph computation in detrkd that combines a tensor with a Java number through one of the unsafe ops goes
 * through this class; {@code GraphScalarSafetyTest} checks the detectors' gradients against freed-memory scribbling.
 *
 * <p>The same holds for arrays made from Java arrays ({@code manager.create(float[])}): they are safe only while the
 * Java array object stays open. Code that frees intermediates early inside a training forward (an {@code NDScope}
 * around a layer, as the multi-scale detectors do) makes such constants with {@link #array}, which copies them into
 * memory libtorch owns.
 */
public final class Scalars {
    private Scalars() {}

    /** A 0-d constant of {@code like}'s type and device, allocated by libtorch, on {@code like}'s manager. */
    public static NDArray constant(NDArray like, double value) {
        return like.getManager().full(new Shape(), (float) value, like.getDataType()).toDevice(like.getDevice(), false);
    }

    /** {@code x * value}. */
    public static NDArray mul(NDArray x, double value) {
        return x.mul(constant(x, value));
    }

    /** {@code x / value}. */
    public static NDArray div(NDArray x, double value) {
        return x.div(constant(x, value));
    }

    /** {@code value / x}. */
    public static NDArray rdiv(double value, NDArray x) {
        return constant(x, value).div(x);
    }

    /** {@code x ^ exponent}. */
    public static NDArray pow(NDArray x, double exponent) {
        return x.pow(constant(x, exponent));
    }

    /** {@code max(x, value)} elementwise. */
    public static NDArray maximum(NDArray x, double value) {
        return x.maximum(constant(x, value));
    }

    /** {@code min(x, value)} elementwise. */
    public static NDArray minimum(NDArray x, double value) {
        return x.minimum(constant(x, value));
    }

    /**
     * A constant array whose memory libtorch owns (a copy of the Java data), safe to use in the graph even when the
     * Java handle is closed before the backward pass.
     *
     * @param manager where the array lives
     * @param data the values, row-major
     * @param shape their shape
     * @param type the data type of the result (converted from float32)
     * @return the array, on {@code manager}
     */
    public static NDArray array(NDManager manager, float[] data, Shape shape, DataType type) {
        try (NDArray wrapped = manager.create(data, shape)) {
            NDArray owned = wrapped.duplicate(); // torch clone: libtorch-owned memory
            return type == DataType.FLOAT32 ? owned : owned.toType(type, false);
        }
    }
}
