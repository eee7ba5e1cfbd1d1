package org.detrkd.suites.run;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import java.util.List;
import org.detrkd.detr.adamixer.AdaMixer;
import org.detrkd.detr.adamixer.AdaMixerConfig;
import org.detrkd.detr.backbone.ResNetSpec;
import org.detrkd.detr.conditional.ConditionalDetr;
import org.detrkd.detr.conditional.ConditionalDetrConfig;
import org.detrkd.detr.deformable.DeformableDetr;
import org.detrkd.detr.deformable.DeformableDetrConfig;
import org.detrkd.detr.model.Detector;
import org.detrkd.detr.train.DetectorFactory;
import org.detrkd.suites.spec.Cell.ModelSpec;

/**
 * A suite's {@link ModelSpec} (detector, backbone, encoder/decoder stages, queries) to a detector: Conditional DETR,
 * Deformable DETR or AdaMixer. The width, heads, FFN (and the detector-specific sizes: levels, points, sampling
 * groups) follow the backbone's scale: each detector's mini presets for the {@code mini-*} backbones, the paper's
 * setting otherwise; stages and queries are the spec's (AdaMixer has no encoder: its {@code encoder_stages} is
 * ignored, its decoder stages are its AdaMixer stages).
 *
 * <p>A detector outside {@link #RUNNER_DETECTORS} or settings the detector refuses make the cell fail with a clear
 * record.
 */
final class Models {

    /** Detectors the runner builds. */
    static final List<String> RUNNER_DETECTORS = DetectorFactory.DETECTORS;

    private Models() {
    }

    /**
     * @param m the model spec
     * @param numClasses K from the dataset
     * @return the detector, not initialised (cheap: checks that the cell can be built before anything trains)
     * @throws CellFailure when the detector, backbone or settings are not available
     */
    static Block block(ModelSpec m, int numClasses) {
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
        boolean teacher = m.backbone().equals("mini-teacher");
        boolean mini = teacher || m.backbone().equals("mini-student");
        try {
            return switch (m.detector()) {
                case "deformable-detr" -> {
                    DeformableDetrConfig c = !mini ? DeformableDetrConfig.paper(numClasses, backbone)
                            : teacher ? DeformableDetrConfig.miniTeacher(numClasses)
                            : DeformableDetrConfig.miniStudent(numClasses);
                    yield new DeformableDetr(c.withLayers(m.encoderStages(), m.decoderStages())
                            .withQueries(m.queries()));
                }
                case "adamixer" -> {
                    AdaMixerConfig c = !mini ? AdaMixerConfig.paper(numClasses, backbone)
                            : teacher ? AdaMixerConfig.miniTeacher(numClasses)
                            : AdaMixerConfig.miniStudent(numClasses);
                    yield new AdaMixer(c.withStages(m.decoderStages()).withQueries(m.queries()));
                }
                default -> new ConditionalDetr(config(m, numClasses));
            };
        } catch (IllegalArgumentException e) {
            throw new CellFailure("cannot build " + m + ": " + e.getMessage());
        }
    }

    /**
     * Builds and initialises a detector (float32) on {@code manager}.
     *
     * @param m the model spec
     * @param numClasses K
     * @param manager the model's manager
     * @param imageSize a representative square input size
     * @return the initialised detector
     */
    static Detector create(ModelSpec m, int numClasses, NDManager manager, int imageSize) {
        Block model = block(m, numClasses);
        model.initialize(manager, DataType.FLOAT32, new Shape(1, 3, imageSize, imageSize),
                new Shape(1, imageSize, imageSize));
        return (Detector) model;
    }

    /**
     * @param m a Conditional DETR model spec
     * @param numClasses K from the dataset
     * @return the configuration
     * @throws CellFailure when the backbone or settings are not available
     */
    static ConditionalDetrConfig config(ModelSpec m, int numClasses) {
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
