package org.detrkd.suites.spec;

import java.util.List;

/**
 * Every name a suite file may use, in one place: detectors, backbones, dataset kinds, the built-in suites. Methods
 * and their presets are in {@link Methods}. An unknown name is an error that lists these.
 */
public final class KnownNames {
    /** Detectors (paper Sec. 5: Conditional DETR, Deformable DETR, AdaMixer). */
    public static final List<String> DETECTORS = List.of("conditional-detr", "deformable-detr", "adamixer");
    /** Detectors without a transformer encoder (AdaMixer decodes straight from the FPN): encoder_stages must be 0. */
    public static final List<String> ENCODERLESS = List.of("adamixer");
    /** Backbones: torchvision ResNets (paper scale) and the mini presets ({@code ResNetSpec}). */
    public static final List<String> BACKBONES =
            List.of("resnet18", "resnet34", "resnet50", "resnet101", "mini-teacher", "mini-student");
    /** Dataset kinds: a COCO folder given by path, or a generated benchmark ({@code detrkd data make}). */
    public static final List<String> DATASET_KINDS = List.of("coco", "shapes", "fashion");
    /** Optimizers the training engine has. */
    public static final List<String> OPTIMIZERS = List.of("adamw");
    /** The built-in suites, in listing order (resources {@code org/detrkd/suites/NAME.yaml}). */
    public static final List<String> SUITES =
            List.of("table1", "table2", "table3", "table4", "table5", "table6", "table7", "clockdistill");

    /** The prefix of a file the project ships instead of a path ({@code builtin:mini-student}). */
    public static final String BUILTIN = "builtin:";
    /** Shipped pretrained backbones a scale's {@code backbone_weights} may name (the quickstart's student backbone). */
    public static final List<String> BUILTIN_BACKBONES = List.of(BUILTIN + "mini-student");
    /** Shipped teachers a scale's {@code teachers} may name (the quickstart's Conditional DETR mini teacher). */
    public static final List<String> BUILTIN_TEACHERS = List.of(BUILTIN + "mini-conditional-detr");

    private KnownNames() {
    }
}
