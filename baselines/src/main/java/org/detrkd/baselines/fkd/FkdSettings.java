package org.detrkd.baselines.fkd;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * FKD's hyper-parameters (Zhang and Ma, "Improve Object Detection with Feature-based Knowledge Distillation", ICLR
 * 2021) as two named presets:
 *
 * <ul>
 *   <li>{@code official} (ArchipLab-LinfengZhang's released detectors): temperature 0.1 for the spatial and the channel
 *       attention, the feature loss weighted by both the spatial and the channel mask, weights feature 7e-5 x 6,
 *       channel 4e-3 x 6, spatial 4e-3 x 6, non-local 7e-5 x 6; non-local blocks with C/4 inner channels and max-pool
 *       8 on the first level, C/4 and 4 on the second, C/2 and 2 on the others;
 *   <li>{@code mmrazor} (open-mmlab/mmrazor {@code FBKDLoss} + {@code FBKD*Connector}, fbkd config): temperature 0.5,
 *       no channel mask, weights without the x 6 (7e-5, 4e-3, 4e-3, 7e-5); its non-local block wraps mmcv's
 *       {@code NonLocal2d(sub_sample=True)}, which already max-pools by 2 before the connector's own pool, so the pools
 *       are {2, 8}, {2, 4}, {2, 2}.
 * </ul>
 * Both mix the masks as {@code (teacher + ratio * student) / (1 + ratio)} with ratio 1 (the mean).
 *
 * @param preset the preset's name ({@code official}, {@code mmrazor}, or anything for a custom setting)
 * @param spatialTemperature temperature of the spatial attention
 * @param channelTemperature temperature of the channel attention
 * @param studentMaskRatio weight of the student's attention in the mixed masks (1)
 * @param useChannelMask whether the feature loss is also weighted by the mixed channel mask
 * @param featureWeight weight of {@link Fkd#LOSS_FEAT}
 * @param channelWeight weight of {@link Fkd#LOSS_CHANNEL}
 * @param spatialWeight weight of {@link Fkd#LOSS_SPATIAL}
 * @param nonLocalWeight weight of {@link Fkd#LOSS_NONLOCAL}
 * @param nonLocal non-local block per level; levels beyond the list use its last entry
 */
public record FkdSettings(String preset, double spatialTemperature, double channelTemperature,
        double studentMaskRatio, boolean useChannelMask, double featureWeight, double channelWeight,
        double spatialWeight, double nonLocalWeight, List<NonLocalSpec> nonLocal) {

    /** The released code's settings. */
    public static final FkdSettings OFFICIAL = new FkdSettings("official", 0.1, 0.1, 1.0, true, 7e-5 * 6,
            4e-3 * 6, 4e-3 * 6, 7e-5 * 6, List.of(new NonLocalSpec(4, new int[] {8}),
                    new NonLocalSpec(4, new int[] {4}), new NonLocalSpec(2, new int[] {2})));

    /** MMRazor's port. */
    public static final FkdSettings MMRAZOR = new FkdSettings("mmrazor", 0.5, 0.5, 1.0, false, 7e-5, 4e-3, 4e-3,
            7e-5, List.of(new NonLocalSpec(4, new int[] {2, 8}), new NonLocalSpec(4, new int[] {2, 4}),
                    new NonLocalSpec(2, new int[] {2, 2})));

    /** Checks temperatures and the non-local list. */
    public FkdSettings {
        if (!(spatialTemperature > 0) || !(channelTemperature > 0)) {
            throw new IllegalArgumentException("temperatures must be > 0");
        }
        if (nonLocal.isEmpty()) {
            throw new IllegalArgumentException("give at least one non-local spec");
        }
        nonLocal = List.copyOf(nonLocal);
    }

    /** @return the preset called {@code name} */
    public static FkdSettings preset(String name) {
        switch (name) {
            case "official":
                return OFFICIAL;
            case "mmrazor":
                return MMRAZOR;
            default:
                throw new IllegalArgumentException("unknown FKD preset '" + name + "', known: official, mmrazor");
        }
    }

    /** @return the non-local block of level {@code l} */
    public NonLocalSpec nonLocal(int l) {
        return nonLocal.get(Math.min(l, nonLocal.size() - 1));
    }

    /** @return term name to weight, for the engine */
    public Map<String, Double> weightDict() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put(Fkd.LOSS_FEAT, featureWeight);
        m.put(Fkd.LOSS_CHANNEL, channelWeight);
        m.put(Fkd.LOSS_SPATIAL, spatialWeight);
        m.put(Fkd.LOSS_NONLOCAL, nonLocalWeight);
        return m;
    }
}
