package org.detrkd.suites.spec;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.detrkd.baselines.fgd.FgdSettings;
import org.detrkd.baselines.fgfi.FgfiSettings;
import org.detrkd.baselines.fitnet.FitNetSettings;
import org.detrkd.baselines.fkd.FkdSettings;
import org.detrkd.baselines.mgd.MgdSettings;
import org.detrkd.suites.spec.MethodOptions.Assignment;
import org.detrkd.suites.spec.MethodOptions.DetrDistill;
import org.detrkd.suites.spec.MethodOptions.Features;
import org.detrkd.suites.spec.MethodOptions.Logits;

/**
 * The methods a suite may name, their presets and their option schemas: one explicit map, no reflection.
 *
 * <p>A method entry's {@code options} mapping is read strictly (unknown keys are errors listing the allowed ones) and
 * every omitted option comes from the preset. The baselines' defaults are the baselines module's own settings
 * records, so there is one place for each number. DETRDistill's presets (method-notes): {@code paper} = LD with the
 * teacher-assignment split, per-stage, FD with the Eq. 8 mask, AD, weights 1 / 20 / 1; {@code released-code} = LD on
 * every teacher prediction with class and box (no split), FD with the released mask, AD, weights 1 / 1 / 1 (its
 * contrastive query loss is not modelled).
 */
public final class Methods {
    /** A method's schema: presets (first = default, empty = none) and its option reader. */
    private record Schema(List<String> presets, Reader reader) {
    }

    @FunctionalInterface
    private interface Reader {
        MethodOptions read(Fields options, String preset);
    }

    private static final Map<String, Schema> SCHEMAS = new LinkedHashMap<>();

    static {
        SCHEMAS.put("none", new Schema(List.of(), (f, p) -> new MethodOptions.None()));
        SCHEMAS.put("teacher", new Schema(List.of(), (f, p) -> new MethodOptions.None()));
        SCHEMAS.put("detrdistill", new Schema(List.of("paper", "released-code"), Methods::detrDistill));
        SCHEMAS.put("fitnet", new Schema(List.of(), Methods::fitNet));
        SCHEMAS.put("fgd", new Schema(List.of(), Methods::fgd));
        SCHEMAS.put("mgd", new Schema(List.of(), Methods::mgd));
        SCHEMAS.put("fkd", new Schema(List.of("official", "mmrazor"), Methods::fkd));
        SCHEMAS.put("fgfi", new Schema(List.of(), Methods::fgfi));
        SCHEMAS.put("clockdistill", new Schema(List.of(), Methods::clockDistill));
    }

    /** Method names: {@code none} is the plain student (KD off), {@code teacher} trains and evaluates the teacher. */
    public static final List<String> NAMES = List.copyOf(SCHEMAS.keySet());

    /** LD {@code split} values. */
    public static final List<String> SPLITS = List.of("teacher-assignment", "score-threshold", "none");
    /** LD {@code progressive} values. */
    public static final List<String> PROGRESSIVE = List.of("per-stage", "last-stage");
    /** FD {@code mask} values. */
    public static final List<String> MASKS = List.of("eq6", "eq8", "released-code");

    private Methods() {
    }

    /** The presets of a method (empty when it has none). */
    public static List<String> presets(String method) {
        return SCHEMAS.get(method).presets();
    }

    /** The default preset, or null. */
    public static String defaultPreset(String method) {
        List<String> p = presets(method);
        return p.isEmpty() ? null : p.get(0);
    }

    /**
     * Reads a method's options.
     *
     * @param method a name from {@link #NAMES}
     * @param preset a preset from {@link #presets}, or null for methods without
     * @param options the entry's {@code options} fields, or null when the entry has none
     */
    static MethodOptions read(String method, String preset, Fields options) {
        return SCHEMAS.get(method).reader().read(options, preset);
    }

    /** The keys a method's {@code options} mapping may have. */
    public static List<String> optionKeys(String method) {
        return switch (method) {
            case "detrdistill" -> List.of("logits", "features", "assignment", "lambda_logits", "lambda_features",
                    "lambda_assignment");
            case "fitnet" -> List.of("weight");
            case "fgd" -> List.of("temperature", "alpha", "beta", "gamma", "lambda");
            case "mgd" -> List.of("alpha", "mask_ratio");
            case "fkd" -> List.of("spatial_temperature", "channel_temperature", "use_channel_mask", "feature_weight",
                    "channel_weight", "spatial_weight", "non_local_weight");
            case "fgfi" -> List.of("weight", "warmup_steps", "threshold_factor", "adapter_kernel", "adapter_relu");
            case "clockdistill" -> List.of("feature_weight", "logits_weight", "location_enriched",
                    "target_aware_queries");
            default -> List.of();
        };
    }

    private static DetrDistill detrDistill(Fields f, String preset) {
        boolean paper = "paper".equals(preset);
        Logits l0 = paper ? new Logits(true, true, true, "teacher-assignment", 0.5, "per-stage")
                : new Logits(true, true, false, "none", 0.5, "per-stage");
        Features f0 = new Features(true, paper ? "eq8" : "released-code", 0.5);
        DetrDistill d = new DetrDistill(l0, f0, new Assignment(true), 1.0, paper ? 20.0 : 1.0, 1.0);
        if (f == null) {
            return d;
        }
        Logits l = l0;
        if (f.present("logits")) {
            Fields g = Fields.of(f.file(), f.at("logits"), f.node("logits"), List.of("positive_class",
                    "positive_box", "negative_box", "split", "score_threshold", "progressive"));
            l = new Logits(g.optBool("positive_class", l0.positiveClass()), g.optBool("positive_box",
                    l0.positiveBox()), g.optBool("negative_box", l0.negativeBox()),
                    g.optOneOf("split", SPLITS, l0.split()), g.optNumber("score_threshold", l0.scoreThreshold()),
                    g.optOneOf("progressive", PROGRESSIVE, l0.progressive()));
            if ("none".equals(l.split()) && l.negativeBox()) {
                throw g.error("negative_box", "split 'none' has no negatives: set negative_box: false (every "
                        + "teacher prediction is then distilled through positive_class/positive_box)");
            }
        }
        Features fe = f0;
        if (f.present("features")) {
            Fields g = Fields.of(f.file(), f.at("features"), f.node("features"), List.of("enabled", "mask", "gamma"));
            fe = new Features(g.optBool("enabled", f0.enabled()), g.optOneOf("mask", MASKS, f0.mask()),
                    g.optNumber("gamma", f0.gamma()));
        }
        Assignment a = d.assignment();
        if (f.present("assignment")) {
            Fields g = Fields.of(f.file(), f.at("assignment"), f.node("assignment"), List.of("enabled"));
            a = new Assignment(g.optBool("enabled", a.enabled()));
        }
        return new DetrDistill(l, fe, a, nonNegative(f, "lambda_logits", d.lambdaLogits()),
                nonNegative(f, "lambda_features", d.lambdaFeatures()),
                nonNegative(f, "lambda_assignment", d.lambdaAssignment()));
    }

    private static MethodOptions fitNet(Fields f, String preset) {
        double w = FitNetSettings.DEFAULT.weight();
        return new MethodOptions.FitNet(f == null ? w : nonNegative(f, "weight", w));
    }

    private static MethodOptions fgd(Fields f, String preset) {
        FgdSettings d = FgdSettings.DEFAULT;
        if (f == null) {
            return new MethodOptions.Fgd(d.temperature(), d.alpha(), d.beta(), d.gamma(), d.lambda());
        }
        return new MethodOptions.Fgd(positive(f, "temperature", d.temperature()), nonNegative(f, "alpha", d.alpha()),
                nonNegative(f, "beta", d.beta()), nonNegative(f, "gamma", d.gamma()),
                nonNegative(f, "lambda", d.lambda()));
    }

    private static MethodOptions mgd(Fields f, String preset) {
        MgdSettings d = MgdSettings.DEFAULT;
        if (f == null) {
            return new MethodOptions.Mgd(d.alpha(), d.maskRatio());
        }
        double ratio = f.optNumber("mask_ratio", d.maskRatio());
        if (!(ratio >= 0 && ratio <= 1)) {
            throw f.error("mask_ratio", "mask_ratio must be in [0, 1], got " + ratio);
        }
        return new MethodOptions.Mgd(nonNegative(f, "alpha", d.alpha()), ratio);
    }

    private static MethodOptions fkd(Fields f, String preset) {
        FkdSettings d = FkdSettings.preset(preset);
        if (f == null) {
            return new MethodOptions.Fkd(d.spatialTemperature(), d.channelTemperature(), d.useChannelMask(),
                    d.featureWeight(), d.channelWeight(), d.spatialWeight(), d.nonLocalWeight());
        }
        return new MethodOptions.Fkd(positive(f, "spatial_temperature", d.spatialTemperature()),
                positive(f, "channel_temperature", d.channelTemperature()),
                f.optBool("use_channel_mask", d.useChannelMask()), nonNegative(f, "feature_weight", d.featureWeight()),
                nonNegative(f, "channel_weight", d.channelWeight()), nonNegative(f, "spatial_weight", d.spatialWeight()),
                nonNegative(f, "non_local_weight", d.nonLocalWeight()));
    }

    private static MethodOptions fgfi(Fields f, String preset) {
        FgfiSettings d = FgfiSettings.DEFAULT;
        if (f == null) {
            return new MethodOptions.Fgfi(d.weight(), d.warmupSteps(), d.thresholdFactor(), d.adapterKernel(),
                    d.adapterRelu());
        }
        int kernel = f.optInt("adapter_kernel", d.adapterKernel());
        if (kernel < 1 || kernel % 2 == 0) {
            throw f.error("adapter_kernel", "adapter_kernel must be odd and >= 1, got " + kernel);
        }
        double factor = f.optNumber("threshold_factor", d.thresholdFactor());
        if (!(factor >= 0 && factor <= 1)) {
            throw f.error("threshold_factor", "threshold_factor must be in [0, 1], got " + factor);
        }
        long warmup = f.optLong("warmup_steps", d.warmupSteps());
        if (warmup < 0) {
            throw f.error("warmup_steps", "warmup_steps must be >= 0, got " + warmup);
        }
        return new MethodOptions.Fgfi(nonNegative(f, "weight", d.weight()), warmup, factor, kernel,
                f.optBool("adapter_relu", d.adapterRelu()));
    }

    private static MethodOptions clockDistill(Fields f, String preset) {
        if (f == null) {
            return new MethodOptions.ClockDistill(1.0, 1.0, true, true);
        }
        return new MethodOptions.ClockDistill(nonNegative(f, "feature_weight", 1.0),
                nonNegative(f, "logits_weight", 1.0), f.optBool("location_enriched", true),
                f.optBool("target_aware_queries", true));
    }

    private static double nonNegative(Fields f, String key, double otherwise) {
        double v = f.optNumber(key, otherwise);
        if (!(v >= 0) || Double.isInfinite(v)) {
            throw f.error(key, key + " must be a finite number >= 0, got " + v);
        }
        return v;
    }

    private static double positive(Fields f, String key, double otherwise) {
        double v = f.optNumber(key, otherwise);
        if (!(v > 0) || Double.isInfinite(v)) {
            throw f.error(key, key + " must be a finite number > 0, got " + v);
        }
        return v;
    }
}
