package org.detrkd.detr.detrdistill;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Every option of DETRDistill, with two presets: {@code paper} (the default; Sec. 4 of Chang et al. 2023) and
 * {@code released-code} (the authors' MMDetection code for Deformable DETR, as read in the project's method notes).
 * Each option can be overridden on its own by its name ({@link #with(String, String)}); {@link #toMap()} lists all
 * of them for {@code spec.json}.
 *
 * @param preset the preset the options started from
 * @param logits whether Hungarian-matching logits distillation (LD, Sec. 4.1) runs
 * @param feature whether target-aware feature distillation (FD, Sec. 4.2) runs
 * @param assignment whether query-prior assignment distillation (AD, Sec. 4.3) runs
 * @param ldSplit how teacher predictions are split: {@code assignment} (matched to GT by the teacher's own matching
 *     = positives), {@code threshold} (max class score above {@code ldThreshold} = positives) or {@code none} (all
 *     teacher predictions form one set, distilled with class and box: the released code)
 * @param ldThreshold the score threshold of the {@code threshold} split
 * @param ldPosCls distil the positives' classes (Tab. 6 column 1)
 * @param ldPosBox distil the positives' boxes (Tab. 6 column 2)
 * @param ldNegBox distil the negatives' boxes (Tab. 6 column 3)
 * @param ldStages {@code progressive} (teacher stage group k teaches student stage k, Eq. 4) or {@code last} (the
 *     teacher's last stage teaches every student stage, Tab. 7)
 * @param ldClassCost class cost of the teacher-student matching: {@code focal} (the GT matching's focal cost at the
 *     teacher's top class: positives are pseudo ground truth) or {@code soft-bce} (binary cross-entropy against the
 *     teacher's sigmoid scores, the released code); negatives are matched on boxes only in the paper preset
 * @param ldCostClass weight of the class cost
 * @param ldCostBbox weight of the L1 cost
 * @param ldCostGiou weight of the GIoU cost
 * @param ldWeightCls loss weight of the class term (before {@code lambdaLogits})
 * @param ldWeightL1 loss weight of the L1 terms
 * @param ldWeightGiou loss weight of the GIoU terms
 * @param lambdaLogits lambda_1
 * @param lambdaFeature lambda_2
 * @param lambdaAssign lambda_3
 * @param fdMask {@code quality} (Eq. 8), {@code uniform} (Eq. 6, Tab. 2) or {@code released} (top-k cosine mask)
 * @param fdGamma gamma of the quality score (Eq. 7)
 * @param fdFeature which feature is distilled: {@code memory} (encoder output) or {@code encoder-input}
 * @param fdTopK (query, class) pairs per teacher stage in the {@code released} mask
 * @param adPass {@code joint} (one decoder pass with the extra group) or {@code second} (the released code's second
 *     transformer pass; computed identically here, see {@link AssignmentDistillation})
 * @param adAssignment {@code final} (the teacher's final-stage assignment for every student stage) or
 *     {@code per-stage} (teacher stage group k's assignment for student stage k, the released code)
 */
public record DetrDistillSettings(String preset, boolean logits, boolean feature, boolean assignment, String ldSplit,
        double ldThreshold, boolean ldPosCls, boolean ldPosBox, boolean ldNegBox, String ldStages, String ldClassCost,
        double ldCostClass, double ldCostBbox, double ldCostGiou, double ldWeightCls, double ldWeightL1,
        double ldWeightGiou, double lambdaLogits, double lambdaFeature, double lambdaAssign, String fdMask,
        double fdGamma, String fdFeature, int fdTopK, String adPass, String adAssignment) {

    /** Preset names; the first is the default. */
    public static final List<String> PRESETS = List.of("paper", "released-code");

    /** Checks the choices. */
    public DetrDistillSettings {
        choice("ld-split", ldSplit, "assignment", "threshold", "none");
        choice("ld-stages", ldStages, "progressive", "last");
        choice("ld-class-cost", ldClassCost, "focal", "soft-bce");
        choice("fd-mask", fdMask, "quality", "uniform", "released");
        choice("fd-feature", fdFeature, "memory", "encoder-input");
        choice("ad-pass", adPass, "joint", "second");
        choice("ad-assignment", adAssignment, "final", "per-stage");
        if (fdGamma < 0 || fdGamma > 1 || fdTopK < 1 || ldThreshold < 0 || ldThreshold > 1) {
            throw new IllegalArgumentException("fd-gamma must be in [0, 1], fd-topk >= 1, ld-threshold in [0, 1]");
        }
        for (double w : new double[] {ldCostClass, ldCostBbox, ldCostGiou, ldWeightCls, ldWeightL1, ldWeightGiou,
            lambdaLogits, lambdaFeature, lambdaAssign}) {
            if (!(w >= 0) || Double.isInfinite(w)) {
                throw new IllegalArgumentException("DETRDistill weights must be finite and >= 0, got " + w);
            }
        }
    }

    /** @return the paper preset: LD + FD + AD, lambdas (1, 20, 1), assignment split, progressive, quality mask */
    public static DetrDistillSettings paper() {
        return new DetrDistillSettings("paper", true, true, true, "assignment", 0.3, true, true, true,
                "progressive", "focal", 2, 5, 2, 2, 5, 2, 1, 20, 1, "quality", 0.5, "memory", 100, "joint", "final");
    }

    /**
     * @return the released-code preset: no split (all teacher predictions, class and box), soft-BCE cost 1 / L1 5 /
     *     GIoU 2 and the same loss weights, feature weight 1 on the encoder input with the top-100 cosine mask, a
     *     second pass for AD with per-stage teacher assignments
     */
    public static DetrDistillSettings releasedCode() {
        return new DetrDistillSettings("released-code", true, true, true, "none", 0.3, true, true, true,
                "progressive", "soft-bce", 1, 5, 2, 1, 5, 2, 1, 1, 1, "released", 0.5, "encoder-input", 100,
                "second", "per-stage");
    }

    /**
     * @param name a preset name, or null for {@code paper}
     * @return the preset
     */
    public static DetrDistillSettings preset(String name) {
        if (name == null || name.equals("paper")) {
            return paper();
        }
        if (name.equals("released-code")) {
            return releasedCode();
        }
        throw new IllegalArgumentException("unknown DETRDistill preset '" + name + "'; known: " + String.join(", ",
                PRESETS));
    }

    /**
     * @param preset preset name or null
     * @param options overrides by option name
     * @return the preset with the overrides applied in order
     */
    public static DetrDistillSettings of(String preset, Map<String, String> options) {
        DetrDistillSettings s = preset(preset);
        for (Map.Entry<String, String> e : options.entrySet()) {
            s = s.with(e.getKey(), e.getValue());
        }
        return s;
    }

    /** @return every option by its name (the names {@link #with} accepts), preset first */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("preset", preset);
        m.put("ld", logits);
        m.put("fd", feature);
        m.put("ad", assignment);
        m.put("ld-split", ldSplit);
        m.put("ld-threshold", ldThreshold);
        m.put("ld-pos-cls", ldPosCls);
        m.put("ld-pos-box", ldPosBox);
        m.put("ld-neg-box", ldNegBox);
        m.put("ld-stages", ldStages);
        m.put("ld-class-cost", ldClassCost);
        m.put("ld-cost-class", ldCostClass);
        m.put("ld-cost-bbox", ldCostBbox);
        m.put("ld-cost-giou", ldCostGiou);
        m.put("ld-weight-cls", ldWeightCls);
        m.put("ld-weight-l1", ldWeightL1);
        m.put("ld-weight-giou", ldWeightGiou);
        m.put("lambda-logits", lambdaLogits);
        m.put("lambda-feat", lambdaFeature);
        m.put("lambda-assign", lambdaAssign);
        m.put("fd-mask", fdMask);
        m.put("fd-gamma", fdGamma);
        m.put("fd-feature", fdFeature);
        m.put("fd-topk", fdTopK);
        m.put("ad-pass", adPass);
        m.put("ad-assignment", adAssignment);
        return m;
    }

    /**
     * @param name an option name of {@link #toMap()} (except {@code preset})
     * @param value its new value (booleans {@code true/false}, numbers, choices)
     * @return a copy with the option changed
     * @throws IllegalArgumentException for an unknown name or a bad value, listing the names
     */
    public DetrDistillSettings with(String name, String value) {
        Map<String, Object> m = toMap();
        if (!m.containsKey(name) || name.equals("preset")) {
            m.remove("preset");
            throw new IllegalArgumentException("unknown DETRDistill option '" + name + "'; known: "
                    + String.join(", ", m.keySet()));
        }
        Object old = m.get(name);
        Object v;
        try {
            if (old instanceof Boolean) {
                if (!value.equals("true") && !value.equals("false")) {
                    throw new IllegalArgumentException("not true/false");
                }
                v = Boolean.parseBoolean(value);
            } else if (old instanceof Integer) {
                v = Integer.parseInt(value);
            } else if (old instanceof Double) {
                v = Double.parseDouble(value);
            } else {
                v = value;
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("DETRDistill option " + name + ": bad value '" + value + "' ("
                    + e.getMessage() + ")");
        }
        m.put(name, v);
        return fromMap(m);
    }

    private static DetrDistillSettings fromMap(Map<String, Object> m) {
        return new DetrDistillSettings((String) m.get("preset"), b(m, "ld"), b(m, "fd"), b(m, "ad"),
                s(m, "ld-split"), d(m, "ld-threshold"), b(m, "ld-pos-cls"), b(m, "ld-pos-box"), b(m, "ld-neg-box"),
                s(m, "ld-stages"), s(m, "ld-class-cost"), d(m, "ld-cost-class"), d(m, "ld-cost-bbox"),
                d(m, "ld-cost-giou"), d(m, "ld-weight-cls"), d(m, "ld-weight-l1"), d(m, "ld-weight-giou"),
                d(m, "lambda-logits"), d(m, "lambda-feat"), d(m, "lambda-assign"), s(m, "fd-mask"),
                d(m, "fd-gamma"), s(m, "fd-feature"), (Integer) m.get("fd-topk"), s(m, "ad-pass"),
                s(m, "ad-assignment"));
    }

    private static boolean b(Map<String, Object> m, String k) {
        return (Boolean) m.get(k);
    }

    private static double d(Map<String, Object> m, String k) {
        return (Double) m.get(k);
    }

    private static String s(Map<String, Object> m, String k) {
        return (String) m.get(k);
    }

    private static void choice(String name, String value, String... allowed) {
        for (String a : allowed) {
            if (a.equals(value)) {
                return;
            }
        }
        throw new IllegalArgumentException(String.format(Locale.ROOT, "DETRDistill option %s: '%s' is not one of %s",
                name, value, String.join(", ", allowed)));
    }
}
