package org.detrkd.baselines.fitnet;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * FitNet's weight. FitNets (Romero et al., ICLR 2015) has no canonical weight for detection; this suite uses
 * {@code 1.0} on the per-level mean squared error, summed over levels. Why: FitNet is DETRDistill's released feature
 * loss with a mask of ones (method-notes: "MSE(mean) of mask*F_T vs mask*F_S, summed over levels", no feature weight,
 * i.e. effectively 1), so the same weight makes the two comparable and isolates the effect of the mask. Scale check: on
 * neck features of about unit variance (Deformable DETR's input projection ends in GroupNorm) the untrained adapter
 * gives an MSE of about 1-2 per level, i.e. 4-8 over 4 levels, below the initial DETR detection loss (focal 2 / L1 5 /
 * GIoU 2 summed over 6 decoder stages, about 20-30), so imitation does not swamp detection at the start.
 *
 * @param weight multiplier of {@link FitNet#LOSS}
 */
public record FitNetSettings(double weight) {

    /** The suite's default: weight 1.0 (see the class comment). */
    public static final FitNetSettings DEFAULT = new FitNetSettings(1.0);

    /** @return term name to weight, for the engine */
    public Map<String, Double> weightDict() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put(FitNet.LOSS, weight);
        return m;
    }
}
