package org.detrkd.suites.spec;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.detrkd.suites.spec.SuiteSpec.BackboneWeightsSpec;
import org.detrkd.suites.spec.SuiteSpec.ScheduleOverride;

/**
 * The optional keys of a scale that map the suite onto it ({@link SuiteReader} reads the rest): {@code stages},
 * {@code queries}, {@code schedule}, {@code backbone_weights}, {@code teachers}, {@code teacher_min_ap}. Read as
 * strictly as every other key: unknown keys, wrong types and bad values are one-line errors with file, line and what
 * is allowed. References between sections (setup ids, counts the maps must cover) are {@link SuiteValidator}'s.
 */
final class ScaleKeys {
    /** The keys of a scale's {@code schedule:} block: the setup schedule's, less {@code epochs}. */
    private static final List<String> SCALE_SCHEDULE = List.of("optimizer", "lr", "backbone_lr_factor",
            "weight_decay", "grad_clip", "lr_drops", "lr_drop_factor", "warmup_epochs", "warmup_steps");

    private final String file;

    ScaleKeys(String file) {
        this.file = file;
    }

    /** {@code stages: {encoder: {6: 2, 3: 1}, decoder: {6: 3, 3: 2}}}: one side of the stage maps, or empty. */
    Map<Integer, Integer> stageMap(Fields scale, String side) {
        if (!scale.present("stages")) {
            return Map.of();
        }
        Fields st = Fields.of(file, scale.at("stages"), scale.node("stages"), List.of("encoder", "decoder"));
        return st.present(side) ? counts(st, side, "stage counts") : Map.of();
    }

    /** {@code queries: {300: 40, 100: 40}}, or empty. */
    Map<Integer, Integer> countMap(Fields scale, String key) {
        return scale.present(key) ? counts(scale, key, "query counts") : Map.of();
    }

    /** A map of the suite's counts (integer keys >= 1) to this scale's (integers >= 1). */
    private Map<Integer, Integer> counts(Fields parent, String key, String what) {
        YamlNode node = parent.node(key);
        List<String> keys = node instanceof YamlNode.Mapping m ? List.copyOf(m.entries().keySet()) : List.of();
        Fields c = Fields.of(file, parent.at(key), node, keys);
        Map<Integer, Integer> out = new LinkedHashMap<>();
        for (String k : keys) {
            int from;
            try {
                from = Integer.parseInt(k);
            } catch (NumberFormatException ex) {
                from = 0;
            }
            if (from < 1) {
                throw c.error(k, parent.at(key) + ": keys are the suite's " + what + " (integers >= 1), got '" + k
                        + "'");
            }
            out.put(from, SuiteReader.positive(c, k));
        }
        if (out.isEmpty()) {
            throw parent.error(key, parent.at(key) + " is empty: map each of the suite's " + what + " to this "
                    + "scale's (e.g. {6: 3}), or leave the key out");
        }
        return Map.copyOf(out);
    }

    /** A scale's {@code schedule:} overrides. */
    ScheduleOverride scheduleOverride(Fields scale) {
        if (!scale.present("schedule")) {
            return ScheduleOverride.NONE;
        }
        Fields s = Fields.of(file, scale.at("schedule"), scale.node("schedule"), SCALE_SCHEDULE);
        Long warmupSteps = null;
        if (s.present("warmup_steps")) {
            long w = s.optLong("warmup_steps", 0);
            if (w < 0) {
                throw s.error("warmup_steps", s.at("warmup_steps") + " must be >= 0, got " + w);
            }
            warmupSteps = w;
        }
        return new ScheduleOverride(s.present("optimizer") ? s.optOneOf("optimizer", KnownNames.OPTIMIZERS, null)
                : null, s.present("lr") ? SuiteReader.positiveNumber(s, "lr") : null,
                s.present("backbone_lr_factor") ? SuiteReader.nonNegative(s, "backbone_lr_factor", 0) : null,
                s.present("weight_decay") ? SuiteReader.nonNegative(s, "weight_decay", 0) : null,
                s.present("grad_clip") ? SuiteReader.nonNegative(s, "grad_clip", 0) : null,
                s.present("lr_drops") ? SuiteReader.lrDrops(s) : null,
                s.present("lr_drop_factor") ? SuiteReader.lrDropFactor(s) : null,
                s.present("warmup_epochs") ? SuiteReader.nonNegative(s, "warmup_epochs", 0) : null, warmupSteps);
    }

    /** {@code backbone_weights: {teacher: FILE, student: FILE|builtin:mini-student}}. */
    BackboneWeightsSpec backboneWeights(Fields scale) {
        if (!scale.present("backbone_weights")) {
            return BackboneWeightsSpec.NONE;
        }
        Fields b = Fields.of(file, scale.at("backbone_weights"), scale.node("backbone_weights"),
                List.of("teacher", "student"));
        return new BackboneWeightsSpec(source(b, "teacher", KnownNames.BUILTIN_BACKBONES),
                source(b, "student", KnownNames.BUILTIN_BACKBONES));
    }

    /** {@code teachers: {SETUP_ID: RUN_DIR|builtin:mini-conditional-detr}} (setup ids checked by the validator). */
    Map<String, String> teachers(Fields scale) {
        if (!scale.present("teachers")) {
            return Map.of();
        }
        YamlNode node = scale.node("teachers");
        List<String> keys = node instanceof YamlNode.Mapping m ? List.copyOf(m.entries().keySet()) : List.of();
        Fields t = Fields.of(file, scale.at("teachers"), node, keys);
        Map<String, String> out = new LinkedHashMap<>();
        for (String k : keys) {
            out.put(k, source(t, k, KnownNames.BUILTIN_TEACHERS));
        }
        return java.util.Collections.unmodifiableMap(out);
    }

    /** A file or folder given by path, or {@code builtin:NAME} with NAME in {@code builtins}; null when absent. */
    private static String source(Fields f, String key, List<String> builtins) {
        if (!f.present(key)) {
            return null;
        }
        String v = f.string(key).strip();
        if (v.isEmpty()) {
            throw f.error(key, f.at(key) + " is empty: give a path or one of " + String.join(", ", builtins));
        }
        if (v.startsWith(KnownNames.BUILTIN) && !builtins.contains(v)) {
            throw f.error(key, "unknown built-in '" + v + "' in " + f.at(key) + "; known: "
                    + String.join(", ", builtins) + " (or a path)");
        }
        return v;
    }

    /** {@code teacher_min_ap: 0.30}, in [0, 1]; null when absent. */
    static Double teacherMinAp(Fields scale) {
        if (!scale.present("teacher_min_ap")) {
            return null;
        }
        double v = scale.number("teacher_min_ap");
        if (!(v >= 0 && v <= 1)) {
            throw scale.error("teacher_min_ap", scale.at("teacher_min_ap") + " is a COCO AP in [0, 1], got " + v);
        }
        return v;
    }
}
