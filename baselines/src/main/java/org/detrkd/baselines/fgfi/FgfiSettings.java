package org.detrkd.baselines.fgfi;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * FGFI's hyper-parameters (Wang et al., CVPR 2019; twangnh/Distilling-Object-Detectors).
 *
 * @param weight weight of {@link Fgfi#LOSS} (0.01, {@code imitation_loss_weigth})
 * @param warmupSteps optimisation steps without imitation at the start (400); see {@link Fgfi#isActive(long)}
 * @param thresholdFactor relative IoU threshold of the imitation mask (0.5)
 * @param anchors the virtual anchor set ({@link VirtualAnchors#RETINANET})
 * @param adapterKernel kernel of the student adapter (3, as the released {@code stu_feature_adap})
 * @param adapterRelu whether the adapter ends in ReLU (true as released, where the imitated VGG features are
 *     post-ReLU and non-negative; set false for signed features such as DETR neck outputs after GroupNorm, which a
 *     ReLU output can never match below zero)
 */
public record FgfiSettings(double weight, long warmupSteps, double thresholdFactor, VirtualAnchors anchors,
        int adapterKernel, boolean adapterRelu) {

    /** The released settings with RetinaNet-style virtual anchors. */
    public static final FgfiSettings DEFAULT = new FgfiSettings(0.01, 400, 0.5, VirtualAnchors.RETINANET, 3, true);

    /** Checks the values. */
    public FgfiSettings {
        if (warmupSteps < 0 || !(thresholdFactor >= 0 && thresholdFactor <= 1) || adapterKernel < 1
                || adapterKernel % 2 == 0) {
            throw new IllegalArgumentException("bad FGFI settings: warm-up " + warmupSteps + ", factor "
                    + thresholdFactor + ", kernel " + adapterKernel);
        }
    }

    /** @return term name to weight, for the engine */
    public Map<String, Double> weightDict() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put(Fgfi.LOSS, weight);
        return m;
    }
}
