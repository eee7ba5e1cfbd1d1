package org.detrkd.suites.spec;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.detrkd.datasets.io.InputException;
import org.detrkd.reports.model.Scale;
import org.detrkd.suites.spec.SuiteSpec.ArchSpec;
import org.detrkd.suites.spec.SuiteSpec.DatasetSpec;
import org.detrkd.suites.spec.SuiteSpec.GridSpec;
import org.detrkd.suites.spec.SuiteSpec.ImageSpec;
import org.detrkd.suites.spec.SuiteSpec.MethodEntry;
import org.detrkd.suites.spec.SuiteSpec.ScaleSpec;
import org.detrkd.suites.spec.SuiteSpec.ScheduleSpec;
import org.detrkd.suites.spec.SuiteSpec.SetupSpec;

/**
 * Reads a suite file strictly into a {@link SuiteSpec} and validates it ({@link SuiteValidator}). Every problem is
 * one {@link InputException} line: {@code FILE: line N, column M: what is wrong; allowed: ...}. The schema is
 * documented in this package's {@code package-info.java} (see {@link #SCHEMA_VERSION}).
 */
public final class SuiteReader {
    /** The schema version this reader knows ({@code schema: 1} in every file). */
    public static final int SCHEMA_VERSION = 1;
    /** COCO train2017 / val2017 image counts, the defaults of a {@code coco} dataset (used for time estimates). */
    static final int COCO_TRAIN = 118_287;
    static final int COCO_VAL = 5_000;

    private static final List<String> TOP = List.of("schema", "suite", "title", "paper_table", "notes", "scales",
            "setups", "methods", "grid");
    private static final List<String> SCALE = List.of("dataset", "backbones", "image", "batch", "seeds",
            "teacher_seed", "epochs", "stages", "queries", "schedule", "backbone_weights", "teachers",
            "teacher_min_ap");
    private static final List<String> SETUP = List.of("id", "group", "detector", "teacher", "student", "schedule");
    private static final List<String> ARCH = List.of("encoder_stages", "decoder_stages", "queries");
    private static final List<String> SCHEDULE = List.of("epochs", "optimizer", "lr", "backbone_lr_factor",
            "weight_decay", "grad_clip", "lr_drops", "lr_drop_factor", "warmup_epochs", "warmup_steps");
    private static final List<String> METHOD = List.of("id", "row", "method", "preset", "options", "setups",
            "paper_value");
    private static final List<String> PAPER_METRICS = List.of("AP", "APs", "APm", "APl");

    private final String file;

    private SuiteReader(String file) {
        this.file = file;
    }

    /** Reads a suite file from disk. */
    public static SuiteSpec read(Path path) {
        if (!Files.isRegularFile(path)) {
            throw new InputException(path, "", "no such suite file");
        }
        try {
            return parse(path.toString(), Files.readString(path, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new InputException(path.toString(), "", "cannot read: " + e.getMessage(), e);
        }
    }

    /** Reads a suite from a stream (a built-in resource). */
    public static SuiteSpec read(String name, InputStream in) throws IOException {
        return parse(name, new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }

    /** Parses and validates a suite document. */
    public static SuiteSpec parse(String file, String text) {
        SuiteSpec spec = new SuiteReader(file).suite(YamlNode.parse(file, text));
        SuiteValidator.validate(spec);
        return spec;
    }

    private SuiteSpec suite(YamlNode root) {
        Fields f = Fields.of(file, "", root, TOP);
        int schema = f.integer("schema");
        if (schema != SCHEMA_VERSION) {
            throw f.error("schema", "unsupported schema " + schema + "; this version of detrkd reads schema "
                    + SCHEMA_VERSION);
        }
        String id = f.string("suite");
        if (!id.matches("[a-z0-9][a-z0-9_-]*")) {
            throw f.error("suite", "suite id '" + id + "' must be lower-case letters, digits, '-' or '_'");
        }
        Map<Scale, ScaleSpec> scales = scales(Fields.of(file, "scales", f.required("scales"),
                List.of("paper", "mini", "smoke")));
        List<SetupSpec> setups = new ArrayList<>();
        List<YamlNode> setupNodes = f.list("setups");
        for (int i = 0; i < setupNodes.size(); i++) {
            setups.add(setup(Fields.of(file, "setups[" + i + "]", setupNodes.get(i), SETUP)));
        }
        List<MethodEntry> methods = new ArrayList<>();
        List<YamlNode> methodNodes = f.list("methods");
        for (int i = 0; i < methodNodes.size(); i++) {
            methods.add(method(Fields.of(file, "methods[" + i + "]", methodNodes.get(i), METHOD)));
        }
        if (setups.isEmpty() || methods.isEmpty()) {
            throw f.error(setups.isEmpty() ? "setups" : "methods", "needs at least one entry");
        }
        GridSpec grid = f.present("grid") ? grid(Fields.of(file, "grid", f.node("grid"),
                List.of("epochs", "student_stages"))) : new GridSpec(List.of(), List.of());
        Map<String, YamlNode.Loc> sources = new LinkedHashMap<>();
        index("", root, sources);
        return new SuiteSpec(id, f.optString("title", id), f.optString("paper_table", null), scales, setups,
                methods, grid, file, sources);
    }

    private Map<Scale, ScaleSpec> scales(Fields f) {
        Map<Scale, ScaleSpec> out = new EnumMap<>(Scale.class);
        ScaleKeys keys = new ScaleKeys(file);
        for (Scale s : Scale.values()) {
            Fields g = Fields.of(file, "scales." + s.id(), f.required(s.id()), SCALE);
            Fields b = Fields.of(file, g.at("backbones"), g.required("backbones"), List.of("teacher", "student"));
            Fields im = Fields.of(file, g.at("image"), g.required("image"), List.of("short_side", "max_side"));
            ImageSpec image = new ImageSpec(positive(im, "short_side"), positive(im, "max_side"));
            if (image.maxSide() < image.shortSide()) {
                throw im.error("max_side", "max_side " + image.maxSide() + " is below short_side " + image.shortSide());
            }
            List<Long> seeds = new ArrayList<>();
            for (YamlNode n : g.list("seeds")) {
                long seed = g.asLong(n, g.at("seeds"));
                if (seeds.contains(seed)) {
                    throw g.error(n.loc(), "seed " + seed + " is listed twice");
                }
                seeds.add(seed);
            }
            if (seeds.isEmpty()) {
                throw g.error("seeds", "give at least one seed");
            }
            out.put(s, new ScaleSpec(s, dataset(Fields.of(file, g.at("dataset"), g.required("dataset"),
                    datasetKeys(g))), b.oneOf("teacher", KnownNames.BACKBONES),
                    b.oneOf("student", KnownNames.BACKBONES), image, positive(g, "batch"), List.copyOf(seeds),
                    g.optLong("teacher_seed", 0L), epochMap(g, s), keys.stageMap(g, "encoder"),
                    keys.stageMap(g, "decoder"), keys.countMap(g, "queries"), keys.scheduleOverride(g),
                    keys.backboneWeights(g), keys.teachers(g), ScaleKeys.teacherMinAp(g)));
        }
        return out;
    }

    private List<String> datasetKeys(Fields scale) {
        Fields kind = Fields.of(file, scale.at("dataset"), scale.required("dataset"), List.of("kind", "path",
                "train_images", "val_images", "image_size", "seed"));
        String k = kind.oneOf("kind", KnownNames.DATASET_KINDS);
        return k.equals("coco") ? List.of("kind", "path", "train_images", "val_images")
                : List.of("kind", "path", "train_images", "val_images", "image_size", "seed");
    }

    private DatasetSpec dataset(Fields f) {
        String kind = f.string("kind");
        if (kind.equals("coco")) {
            return new DatasetSpec(kind, f.string("path"), f.optInt("train_images", COCO_TRAIN),
                    f.optInt("val_images", COCO_VAL), 0, 0L);
        }
        return new DatasetSpec(kind, f.string("path"), positive(f, "train_images"), positive(f, "val_images"),
                positive(f, "image_size"), f.optLong("seed", 0L));
    }

    private Map<Integer, Integer> epochMap(Fields scale, Scale s) {
        Map<Integer, Integer> out = new LinkedHashMap<>();
        if (!scale.present("epochs")) {
            if (s != Scale.PAPER) {
                throw scale.error(scale.map().loc(), "scales." + s.id() + " needs 'epochs': how the paper's "
                        + "epochs map to this scale's (e.g. {12: 6, 50: 12}); only the paper scale may omit it");
            }
            return out;
        }
        YamlNode node = scale.node("epochs");
        List<String> keys = node instanceof YamlNode.Mapping m ? List.copyOf(m.entries().keySet()) : List.of();
        Fields e = Fields.of(file, scale.at("epochs"), node, keys);
        for (String key : e.map().entries().keySet()) {
            int paper;
            try {
                paper = Integer.parseInt(key);
            } catch (NumberFormatException ex) {
                throw e.error(key, "epochs: keys are the paper's epochs (integers), got '" + key + "'");
            }
            out.put(paper, positive(e, key));
        }
        return out;
    }

    static List<Double> lrDrops(Fields s) {
        List<Double> drops = new ArrayList<>();
        for (YamlNode n : s.list("lr_drops")) {
            double d = s.asDouble(n, s.at("lr_drops"));
            if (!(d > 0 && d < 1) || (!drops.isEmpty() && d <= drops.get(drops.size() - 1))) {
                throw s.error(n.loc(), "lr_drops are ascending fractions of the schedule in (0, 1), got " + d);
            }
            drops.add(d);
        }
        return List.copyOf(drops);
    }

    static double lrDropFactor(Fields s) {
        double dropFactor = s.optNumber("lr_drop_factor", 0.1);
        if (!(dropFactor > 0 && dropFactor <= 1)) {
            throw s.error("lr_drop_factor", "lr_drop_factor must be in (0, 1], got " + dropFactor);
        }
        return dropFactor;
    }

    private SetupSpec setup(Fields f) {
        Fields s = Fields.of(file, f.at("schedule"), f.required("schedule"), SCHEDULE);
        List<Double> drops = s.present("lr_drops") ? lrDrops(s) : List.of();
        double dropFactor = lrDropFactor(s);
        Long warmupSteps = null;
        if (s.present("warmup_steps")) {
            long w = s.optLong("warmup_steps", 0);
            if (w < 0) {
                throw s.error("warmup_steps", s.at("warmup_steps") + " must be >= 0, got " + w);
            }
            warmupSteps = w;
        }
        ScheduleSpec schedule = new ScheduleSpec(positive(s, "epochs"),
                s.optOneOf("optimizer", KnownNames.OPTIMIZERS, "adamw"), positiveNumber(s, "lr"),
                nonNegative(s, "backbone_lr_factor", 0.1), nonNegative(s, "weight_decay", 1e-4),
                nonNegative(s, "grad_clip", 0.1), drops, dropFactor, nonNegative(s, "warmup_epochs", 0),
                warmupSteps);
        String id = f.string("id");
        if (!id.matches("[a-z0-9][a-z0-9_-]*")) {
            throw f.error("id", "setup id '" + id + "' must be lower-case letters, digits, '-' or '_'");
        }
        return new SetupSpec(id, f.optString("group", null), f.oneOf("detector", KnownNames.DETECTORS),
                arch(Fields.of(file, f.at("teacher"), f.required("teacher"), ARCH)),
                arch(Fields.of(file, f.at("student"), f.required("student"), ARCH)), schedule);
    }

    private ArchSpec arch(Fields f) {
        int enc = f.integer("encoder_stages");
        if (enc < 0) {
            throw f.error("encoder_stages", "encoder_stages must be >= 0, got " + enc);
        }
        return new ArchSpec(enc, positive(f, "decoder_stages"), positive(f, "queries"));
    }

    private MethodEntry method(Fields f) {
        String method = f.oneOf("method", Methods.NAMES);
        List<String> presets = Methods.presets(method);
        String preset = null;
        if (f.present("preset")) {
            if (presets.isEmpty()) {
                throw f.error("preset", "method " + method + " has no presets");
            }
            preset = f.optOneOf("preset", presets, null);
        } else {
            preset = Methods.defaultPreset(method);
        }
        Fields options = null;
        if (f.present("options")) {
            List<String> keys = Methods.optionKeys(method);
            if (keys.isEmpty()) {
                throw f.error("options", "method " + method + " has no options");
            }
            options = Fields.of(file, f.at("options"), f.node("options"), keys);
        }
        Map<String, Double> paperValue = null;
        if (f.present("paper_value")) {
            Fields p = Fields.of(file, f.at("paper_value"), f.node("paper_value"), PAPER_METRICS);
            paperValue = new LinkedHashMap<>();
            for (String m : PAPER_METRICS) {
                if (p.present(m)) {
                    paperValue.put(m, p.number(m));
                }
            }
        }
        String id = f.optString("id", method);
        if (!id.matches("[A-Za-z0-9][A-Za-z0-9+_-]*")) {
            throw f.error("id", "method id '" + id + "' may only have letters, digits, '+', '-' and '_'");
        }
        return new MethodEntry(id, f.string("row"), method, preset, Methods.read(method, preset, options),
                f.optStrings("setups"), paperValue, f.has("paper_value") && !f.present("paper_value"));
    }

    private GridSpec grid(Fields f) {
        List<Integer> epochs = new ArrayList<>();
        if (f.present("epochs")) {
            for (YamlNode n : f.list("epochs")) {
                int e = f.asInt(n, f.at("epochs"));
                if (e < 1 || epochs.contains(e)) {
                    throw f.error(n.loc(), "grid epochs must be distinct and >= 1, got " + e);
                }
                epochs.add(e);
            }
        }
        List<ArchSpec> stages = new ArrayList<>();
        if (f.present("student_stages")) {
            for (YamlNode n : f.list("student_stages")) {
                stages.add(stageVariant(f, n));
            }
        }
        return new GridSpec(List.copyOf(epochs), List.copyOf(stages));
    }

    private ArchSpec stageVariant(Fields f, YamlNode n) {
        String s = f.asString(n, f.at("student_stages"));
        String[] parts = s.split("/", -1);
        if (parts.length != 2 || !parts[0].matches("\\d+") || !parts[1].matches("\\d+")) {
            throw f.error(n.loc(), "a student stage variant is 'ENCODER/DECODER' stages such as '6/3', got '"
                    + s + "'");
        }
        return new ArchSpec(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), 0);
    }

    static int positive(Fields f, String key) {
        int v = f.integer(key);
        if (v < 1) {
            throw f.error(key, f.at(key) + " must be >= 1, got " + v);
        }
        return v;
    }

    static double nonNegative(Fields f, String key, double otherwise) {
        double v = f.optNumber(key, otherwise);
        if (!(v >= 0) || Double.isInfinite(v)) {
            throw f.error(key, f.at(key) + " must be a finite number >= 0, got " + v);
        }
        return v;
    }

    static double positiveNumber(Fields f, String key) {
        double v = f.number(key);
        if (!(v > 0)) {
            throw f.error(key, f.at(key) + " must be > 0, got " + v);
        }
        return v;
    }

    /** Records the location of every key and list item by path ({@code setups[1].student.decoder_stages}). */
    private static void index(String path, YamlNode node, Map<String, YamlNode.Loc> out) {
        if (node instanceof YamlNode.Mapping m) {
            m.entries().forEach((k, v) -> {
                String p = path.isEmpty() ? k : path + "." + k;
                out.put(p, m.keyLocs().get(k));
                index(p, v, out);
            });
        } else if (node instanceof YamlNode.Sequence s) {
            for (int i = 0; i < s.items().size(); i++) {
                String p = path + "[" + i + "]";
                out.put(p, s.items().get(i).loc());
                index(p, s.items().get(i), out);
            }
        }
    }
}
