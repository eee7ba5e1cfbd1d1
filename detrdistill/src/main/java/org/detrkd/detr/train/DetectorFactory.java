package org.detrkd.detr.train;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;

import org.detrkd.datasets.io.InputException;
import org.detrkd.detr.adamixer.AdaMixer;
import org.detrkd.detr.adamixer.AdaMixerConfig;
import org.detrkd.detr.backbone.ResNetSpec;
import org.detrkd.detr.conditional.ConditionalDetr;
import org.detrkd.detr.conditional.ConditionalDetrConfig;
import org.detrkd.detr.deformable.DeformableDetr;
import org.detrkd.detr.deformable.DeformableDetrConfig;
import org.detrkd.detr.model.Detector;

import java.util.List;

/**
 * Detector name and size to an initialised model, the one place the CLI turns {@code --detector} and {@code --size}
 * into a network: {@code conditional-detr}, {@code deformable-detr} and {@code adamixer}, each at the mini presets
 * ({@code teacher}, {@code student}) or the paper's setting ({@code paper}: the ResNet-50 student;
 * {@code paper-teacher}: the ResNet-101 teacher, as the paper's R101 -> R50 pairs). Training, evaluation and
 * distillation accept all three ({@link #create}); only {@link #config} (the Conditional DETR settings, for the
 * Conditional-only step benchmark and FLOP count) refuses the others with a clear message.
 */
public final class DetectorFactory {

    /** Known detector names. */
    public static final List<String> DETECTORS = List.of("conditional-detr", "deformable-detr", "adamixer");
    /** Known sizes. */
    public static final List<String> SIZES = List.of("teacher", "student", "paper", "paper-teacher");

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
     * @return whether it is one of the paper's settings ({@code paper}, {@code paper-teacher}) rather than a mini preset
     */
    public static boolean isPaperSize(String size) {
        return size.startsWith("paper");
    }

    /** @return the paper-size backbone: ResNet-101 for {@code paper-teacher}, ResNet-50 otherwise */
    private static ResNetSpec paperBackbone(String size) {
        return size.equals("paper-teacher") ? ResNetSpec.resnet101() : ResNetSpec.resnet50();
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
     * The settings of a Conditional DETR.
     *
     * @param detector detector name ({@code conditional-detr}; the others are refused)
     * @param size teacher, student or paper
     * @param numClasses K
     * @param queries number of queries, or {@code <= 0} for the preset's
     * @return the configuration
     */
    public static ConditionalDetrConfig config(String detector, String size, int numClasses, int queries) {
        checkDetector(detector);
        checkSize(size);
        if (!detector.equals("conditional-detr")) {
            throw new InputException((String) null, "--detector", "this command supports conditional-detr only, not '"
                    + detector + "' (train, evaluate and distill support all of " + String.join(", ", DETECTORS)
                    + ")", null);
        }
        ConditionalDetrConfig c = switch (size) {
            case "teacher" -> ConditionalDetrConfig.miniTeacher(numClasses);
            case "student" -> ConditionalDetrConfig.miniStudent(numClasses);
            default -> ConditionalDetrConfig.paper(numClasses, paperBackbone(size));
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
     * @param detector a detector name
     * @param size a size name
     * @param numClasses K
     * @return the preset's number of queries
     */
    public static int defaultQueries(String detector, String size, int numClasses) {
        checkDetector(detector);
        checkSize(size);
        return switch (detector) {
            case "deformable-detr" -> (switch (size) {
                case "teacher" -> DeformableDetrConfig.miniTeacher(numClasses);
                case "student" -> DeformableDetrConfig.miniStudent(numClasses);
                default -> DeformableDetrConfig.paper(numClasses, paperBackbone(size));
            }).numQueries();
            case "adamixer" -> (switch (size) {
                case "teacher" -> AdaMixerConfig.miniTeacher(numClasses);
                case "student" -> AdaMixerConfig.miniStudent(numClasses);
                default -> AdaMixerConfig.paper(numClasses, paperBackbone(size));
            }).numQueries();
            default -> config(detector, size, numClasses, 0).numQueries();
        };
    }

    /**
     * @param teacher the teacher's detector name
     * @param student the student's detector name
     * @throws InputException unless they are the same detector (distillation pairs one detector with itself)
     */
    public static void checkSameDetector(String teacher, String student) {
        if (!teacher.equals(student)) {
            throw new InputException((String) null, "--detector", "the teacher is " + teacher
                    + ", the student would be " + student + ": teacher and student must be the same detector", null);
        }
    }

    /**
     * Builds and initialises any known detector at a preset size (float32).
     *
     * @param detector {@code conditional-detr}, {@code deformable-detr} or {@code adamixer}
     * @param size teacher, student (the mini presets), paper (ResNet-50 at the paper's settings) or paper-teacher
     *     (ResNet-101)
     * @param numClasses K
     * @param queries number of queries, or {@code <= 0} for the preset's
     * @param manager the model's manager (parameters live there)
     * @param imageSize a representative square input size
     * @return the initialised model
     * @throws InputException for an unknown detector or size
     */
    public static Detector create(String detector, String size, int numClasses, int queries, NDManager manager,
                                  int imageSize) {
        return create(detector, size, numClasses, queries, 0, manager, imageSize);
    }

    /**
     * As {@link #create(String, String, int, int, NDManager, int)}, choosing the backbone level Conditional DETR reads.
     *
     * @param featureLevel 4 or 5 for Conditional DETR's input level, or {@code <= 0} for the preset's (ignored by the
     *     multi-scale detectors)
     */
    public static Detector create(String detector, String size, int numClasses, int queries, int featureLevel,
                                  NDManager manager, int imageSize) {
        checkDetector(detector);
        checkSize(size);
        Block model = switch (detector) {
            case "deformable-detr" -> {
                DeformableDetrConfig c = switch (size) {
                    case "teacher" -> DeformableDetrConfig.miniTeacher(numClasses);
                    case "student" -> DeformableDetrConfig.miniStudent(numClasses);
                    default -> DeformableDetrConfig.paper(numClasses, paperBackbone(size));
                };
                yield new DeformableDetr(queries > 0 ? c.withQueries(queries) : c);
            }
            case "adamixer" -> {
                AdaMixerConfig c = switch (size) {
                    case "teacher" -> AdaMixerConfig.miniTeacher(numClasses);
                    case "student" -> AdaMixerConfig.miniStudent(numClasses);
                    default -> AdaMixerConfig.paper(numClasses, paperBackbone(size));
                };
                yield new AdaMixer(queries > 0 ? c.withQueries(queries) : c);
            }
            default -> {
                ConditionalDetrConfig c = config(detector, size, numClasses, queries);
                yield new ConditionalDetr(featureLevel > 0 ? c.withFeatureLevel(featureLevel) : c);
            }
        };
        model.initialize(manager, DataType.FLOAT32, new Shape(1, 3, imageSize, imageSize),
                new Shape(1, imageSize, imageSize));
        return (Detector) model;
    }

    /**
     * Rebuilds a run's detector from its {@code spec.json} (detector, size, classes, queries, feature level),
     * initialised, without loading any weights.
     *
     * @param spec the run's settings
     * @param manager the model's manager
     * @return the initialised model
     */
    public static Detector create(RunSpec spec, NDManager manager) {
        return create(spec.detector(), spec.size(), spec.numClasses(), spec.queries(), spec.featureLevel(), manager,
                spec.imageSize());
    }

    /**
     * The Conditional DETR settings of a run ({@link #config} with the run's feature level).
     *
     * @param spec a Conditional DETR run's settings
     * @return its configuration
     */
    public static ConditionalDetrConfig config(RunSpec spec) {
        ConditionalDetrConfig c = config(spec.detector(), spec.size(), spec.numClasses(), spec.queries());
        return spec.featureLevel() > 0 ? c.withFeatureLevel(spec.featureLevel()) : c;
    }

    /**
     * @param model an initialised model
     * @return its number of trainable parameter values
     */
    public static long trainableParameters(Block model) {
        long n = 0;
        for (Parameter p : model.getParameters().values()) {
            if (p.requiresGradient()) {
                n += p.getArray().size();
            }
        }
        return n;
    }
}
