package org.detrkd.baselines.mgd;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * MGD's hyper-parameters (Yang et al., ECCV 2022; yzd-v/MGD configs).
 *
 * @param alpha weight of {@link Mgd#LOSS} (2e-5 one-stage, 5e-7 two-stage)
 * @param maskRatio lambda, the fraction of spatial cells masked out (0.65 one-stage, 0.45 two-stage)
 */
public record MgdSettings(double alpha, double maskRatio) {

    /** One-stage settings (RetinaNet configs): alpha 2e-5, lambda 0.65. */
    public static final MgdSettings DEFAULT = new MgdSettings(2e-5, 0.65);

    /** Two-stage settings (Faster R-CNN configs): alpha 5e-7, lambda 0.45. */
    public static final MgdSettings TWO_STAGE = new MgdSettings(5e-7, 0.45);

    /** Checks the ratio. */
    public MgdSettings {
        if (!(maskRatio >= 0 && maskRatio <= 1)) {
            throw new IllegalArgumentException("mask ratio must be in [0, 1], got " + maskRatio);
        }
    }

    /** @return term name to weight, for the engine */
    public Map<String, Double> weightDict() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put(Mgd.LOSS, alpha);
        return m;
    }
}
