package org.detrkd.detr.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

import java.util.LinkedHashMap;
import java.util.Map;

/** The one host read per step (loss terms, total, gradient norm) and the divergence check on it. */
final class StepValues {

    private StepValues() {}

    /** Terms (sorted by name), then the total, then the gradient norm, in one device-to-host copy. */
    static float[] read(LossWeights.WeightedLoss loss, NDArray gradNorm, NDManager sm) {
        NDList flat = new NDList(loss.terms().size() + 2);
        for (Map.Entry<String, NDArray> e : loss.terms().entrySet()) {
            if (e.getValue().size() != 1) {
                throw new IllegalArgumentException("loss term " + e.getKey() + " is not a scalar: "
                        + e.getValue().getShape());
            }
            flat.add(e.getValue().reshape(1));
        }
        flat.add(loss.total().reshape(1));
        flat.add(gradNorm.reshape(1));
        flat.attach(sm);
        try (NDArray all = NDArrays.concat(flat).toType(DataType.FLOAT32, false)) {
            return all.toFloatArray();
        }
    }

    static Map<String, Float> checkFinite(long s, double lr, LossWeights.WeightedLoss loss, float[] v) {
        Map<String, Float> terms = new LinkedHashMap<>();
        Map<String, Float> bad = new LinkedHashMap<>();
        int i = 0;
        for (String name : loss.terms().keySet()) {
            terms.put(name, v[i]);
            if (!Float.isFinite(v[i])) {
                bad.put(name, v[i]);
            }
            i++;
        }
        if (!Float.isFinite(v[i]) && bad.isEmpty()) {
            bad.put("loss", v[i]);
        }
        if (!Float.isFinite(v[i + 1]) && bad.isEmpty()) {
            bad.put("grad_norm", v[i + 1]);
        }
        if (!bad.isEmpty()) {
            throw new DivergenceException(s, bad, lr);
        }
        return java.util.Collections.unmodifiableMap(terms);
    }
}
