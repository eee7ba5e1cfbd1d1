package org.detrkd.detr.train;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;

import org.detrkd.datasets.io.InputException;
import org.detrkd.detr.backbone.ResNetSpec;
import org.detrkd.detr.conditional.ConditionalDetr;
import org.detrkd.detr.conditional.ConditionalDetrConfig;

import java.util.List;

/**
 * Detector name and size to an initialised model, the one place the CLI turns {@code --detector} and {@code --size}
 * into a network. Only {@code conditional-detr} exists now; the sizes are the mini presets
 * ({@link ConditionalDetrConfig#miniTeacher}, {@link ConditionalDetrConfig#miniStudent}) and the paper's setting
 * (ResNet-50, d 256, 6/6 layers, 300 queries, {@link ConditionalDetrConfig#paper}).
 */
public final class DetectorFactory {

    /** Known detector names. */
    public static final List<String> DETECTORS = List.of("conditional-detr");
    /** Known sizes. */
    public static final List<String> SIZES = List.of("teacher", "student", "paper");

    private DetectorFactory() {}

    /**
     * @param detector a detector name
     * @throws InputException for an unknown name, listing the known ones
     */
    public static void checkDetector(String detector) {
        if (!DETECTORS.contains(detector)) {
            throw new InputException((String) null, "--detector",
                    "unknown detector '" + detector + "'; known: " + String.join(", ", DETECTORS), null);
        }
    }

    /**
     * @param size a size name
     * @throws InputException for an unknown name, listing the known ones
     */
    public static void checkSize(String size) {
        if (!SIZES.contains(size)) {
            throw new InputException((String) null, "--size",
                    "unknown size '" + size + "'; known: " + String.join(", ", SIZES), null);
        }
    }

    /**
     * The settings of a detector.
     *
     * @param detector detector name
     * @param size teacher, student or paper
     * @param numClasses K
     * @param queries number of queries, or {@code <= 0} for the preset's
     * @return the configuration
     */
    public static ConditionalDetrConfig config(String detector, String size, int numClasses, int queries) {
        checkDetector(detector);
        checkSize(size);
        ConditionalDetrConfig c = switch (size) {
            case "teacher" -> ConditionalDetrConfig.miniTeacher(numClasses);
            case "student" -> ConditionalDetrConfig.miniStudent(numClasses);
            default -> ConditionalDetrConfig.paper(numClasses, ResNetSpec.resnet50());
        };
        return queries > 0 ? c.withQueries(queries) : c;
    }

    /**
     * Builds and initialises a detector on {@code manager} (float32).
     *
     * @param config the settings
     * @param manager the model's manager (parameters live there)
     * @param imageSize a representative square input size (shapes of the parameters do not depend on it)
     * @return the initialised model
     */
    public static ConditionalDetr create(ConditionalDetrConfig config, NDManager manager, int imageSize) {
        ConditionalDetr model = new ConditionalDetr(config);
        model.initialize(manager, DataType.FLOAT32, new Shape(1, 3, imageSize, imageSize),
                new Shape(1, imageSize, imageSize));
        return model;
    }

    /**
     * @param model an initialised model
     * @return its number of trainable parameter values
     */
    public static long trainableParameters(ConditionalDetr model) {
        long n = 0;
        for (Parameter p : model.getParameters().values()) {
            if (p.requiresGradient()) {
                n += p.getArray().size();
            }
        }
        return n;
    }
}
