package org.detrkd.suites.run;

import org.detrkd.detr.backbone.ResNetSpec;
import org.detrkd.detr.conditional.ConditionalDetrConfig;
import org.detrkd.suites.spec.Cell.ModelSpec;

/**
 * A suite's {@link ModelSpec} (detector, backbone, encoder/decoder stages, queries) to a detector configuration.
 * The width, heads and FFN follow the backbone's scale: the mini presets of {@link ConditionalDetrConfig} for the
 * {@code mini-*} backbones, the paper's setting otherwise; stages and queries are the spec's.
 *
 * <p>Only detectors in {@link #RUNNER_DETECTORS} can be built; any other (AdaMixer, Deformable DETR while the runner
 * does not build them) makes the cell fail with a clear "not available yet" record.
 */
final class Models {
    /** Detectors the runner builds so far (distillation itself accepts all three). */
    static final java.util.List<String> RUNNER_DETECTORS = java.util.List.of("conditional-detr");

    private Models() {
    }

    /**
     * @param m the model spec
     * @param numClasses K from the dataset
     * @return the configuration
     * @throws CellFailure when the detector or backbone is not available
     */
    static ConditionalDetrConfig config(ModelSpec m, int numClasses) {
        if (!RUNNER_DETECTORS.contains(m.detector())) {
            throw new CellFailure("detector '" + m.detector() + "' not available yet in the runner (available: "
                    + String.join(", ", RUNNER_DETECTORS) + ")");
        }
        ResNetSpec backbone;
        try {
            backbone = ResNetSpec.preset(m.backbone());
        } catch (IllegalArgumentException e) {
            throw new CellFailure(e.getMessage());
        }
        ConditionalDetrConfig base = switch (m.backbone()) {
            case "mini-teacher" -> ConditionalDetrConfig.miniTeacher(numClasses);
            case "mini-student" -> ConditionalDetrConfig.miniStudent(numClasses);
            default -> ConditionalDetrConfig.paper(numClasses, backbone);
        };
        try {
            return base.withLayers(m.encoderStages(), m.decoderStages()).withQueries(m.queries());
        } catch (IllegalArgumentException e) {
            throw new CellFailure("cannot build " + m + ": " + e.getMessage());
        }
    }
}
