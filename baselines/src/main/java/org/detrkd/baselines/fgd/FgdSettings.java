package org.detrkd.baselines.fgd;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * FGD's hyper-parameters (Yang et al., CVPR 2022; yzd-v/FGD RetinaNet config, also what the DETRDistill code's FGD
 * config for Deformable DETR uses): temperature and the weights of the four terms.
 *
 * @param temperature attention temperature T (0.5; FCOS configs use 0.8)
 * @param alpha weight of {@link Fgd#LOSS_FG} (1e-3)
 * @param beta weight of {@link Fgd#LOSS_BG} (5e-4)
 * @param gamma weight of {@link Fgd#LOSS_MASK} (5e-4)
 * @param lambda weight of {@link Fgd#LOSS_RELA} (5e-6)
 */
public record FgdSettings(double temperature, double alpha, double beta, double gamma, double lambda) {

    /** The one-stage (RetinaNet) settings: T 0.5, alpha 1e-3, beta 5e-4, gamma 5e-4, lambda 5e-6. */
    public static final FgdSettings DEFAULT = new FgdSettings(0.5, 1e-3, 5e-4, 5e-4, 5e-6);

    /** Checks the temperature. */
    public FgdSettings {
        if (!(temperature > 0)) {
            throw new IllegalArgumentException("temperature must be > 0, got " + temperature);
        }
    }

    /** @return term name to weight, for the engine */
    public Map<String, Double> weightDict() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put(Fgd.LOSS_FG, alpha);
        m.put(Fgd.LOSS_BG, beta);
        m.put(Fgd.LOSS_MASK, gamma);
        m.put(Fgd.LOSS_RELA, lambda);
        return m;
    }
}
