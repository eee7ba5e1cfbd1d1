package org.detrkd.detr.backbone;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.norm.BatchNorm;

import java.util.Map;

/**
 * The BatchNorm used by the ResNet blocks (trainable DJL {@link BatchNorm} or {@link FrozenBatchNorm2d}) and the
 * mapping of its parameters to torchvision's names ({@code weight, bias, running_mean, running_var}).
 */
final class NormLayers {

    private NormLayers() {}

    /** @return a 2-d BatchNorm over axis 1 with torchvision's epsilon 1e-5 and momentum 0.1 */
    static Block batchNorm(int channels, boolean frozen) {
        if (frozen) {
            return new FrozenBatchNorm2d(channels);
        }
        // DJL's momentum is the weight of the old running value: 0.9 here equals torch's momentum 0.1.
        return BatchNorm.builder().optAxis(1).optEpsilon(1e-5f).optMomentum(0.9f).build();
    }

    /** Puts the norm layer's parameters into {@code out} under {@code prefix + "." + torchvisionName}. */
    static void collect(Block norm, String prefix, Map<String, Parameter> out) {
        for (Parameter p : norm.getDirectParameters().values()) {
            out.put(prefix + "." + torchvisionName(p.getName()), p);
        }
    }

    private static String torchvisionName(String djlName) {
        return switch (djlName) {
            case "gamma" -> "weight";
            case "beta" -> "bias";
            case "runningMean" -> "running_mean";
            case "runningVar" -> "running_var";
            default -> djlName;
        };
    }
}
