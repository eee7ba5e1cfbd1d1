package org.detrkd.suites.spec;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.expectThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import org.detrkd.datasets.io.InputException;
import org.detrkd.reports.model.Scale;
import org.testng.annotations.Test;

/** Malformed suites and impossible settings: one line naming the file, the line and what is allowed. */
public class SuiteReaderErrorsTest {
    /** A small valid suite; line numbers in the tests below refer to it. */
    static final String BASE = String.join("\n",
            "schema: 1",                                                                   // 1
            "suite: mine",                                                                 // 2
            "paper_table: table5",                                                         // 3
            "scales:",                                                                     // 4
            "  paper:",                                                                    // 5
            "    dataset: {kind: coco, path: no/such/coco}",                               // 6
            "    backbones: {teacher: resnet101, student: resnet50}",                      // 7
            "    image: {short_side: 800, max_side: 1333}",                                // 8
            "    batch: 16",                                                               // 9
            "    seeds: [0]",                                                              // 10
            "  mini:",                                                                     // 11
            "    dataset: {kind: shapes, path: d, train_images: 40, val_images: 8, image_size: 64}", // 12
            "    backbones: {teacher: mini-teacher, student: mini-student}",               // 13
            "    image: {short_side: 64, max_side: 64}",                                   // 14
            "    batch: 4",                                                                // 15
            "    seeds: [0, 1]",                                                           // 16
            "    epochs: {12: 2}",                                                         // 17
            "  smoke:",                                                                    // 18
            "    dataset: {kind: shapes, path: d, train_images: 4, val_images: 2, image_size: 32}", // 19
            "    backbones: {teacher: mini-teacher, student: mini-student}",               // 20
            "    image: {short_side: 32, max_side: 32}",                                   // 21
            "    batch: 2",                                                                // 22
            "    seeds: [0]",                                                              // 23
            "    epochs: {12: 1}",                                                         // 24
            "setups:",                                                                     // 25
            "  - id: cond",                                                                // 26
            "    detector: conditional-detr",                                              // 27
            "    teacher: {encoder_stages: 6, decoder_stages: 6, queries: 300}",           // 28
            "    student: {encoder_stages: 6, decoder_stages: 6, queries: 300}",           // 29
            "    schedule: {epochs: 12, lr: 1.0e-4, lr_drops: [0.667]}",                  // 30
            "methods:",                                                                    // 31
            "  - {row: none, method: none}",                                               // 32
            "  - {id: ld, row: LD, method: detrdistill, preset: paper}",                   // 33
            "");

    private static InputException error(String yaml) {
        return expectThrows(InputException.class, () -> SuiteReader.parse("mine.yaml", yaml));
    }

    @Test
    public void baseIsValid() {
        SuiteSpec s = SuiteReader.parse("mine.yaml", BASE);
        assertEquals(SuiteExpander.count(s, Scale.MINI), 4);
        Cell ld = SuiteExpander.expand(s, Scale.MINI).get(2);
        assertEquals(ld.runId(), "cond.ld.seed0");
        assertEquals(ld.paperValue().get("AP"), 43.7);
        assertEquals(ld.schedule().lrDropEpochs(), java.util.List.of(1));
    }

    @Test
    public void unknownKeyNamesLineAndAllowedKeys() {
        InputException e = error(BASE.replace("    batch: 4\n", "    batch: 4\n    batchsize: 4\n"));
        assertEquals(e.getMessage(), "mine.yaml: line 16, column 5: unknown key 'batchsize' in scales.mini; allowed: "
                + "dataset, backbones, image, batch, seeds, teacher_seed, epochs, stages, queries, schedule, "
                + "backbone_weights, teachers, teacher_min_ap");
    }

    @Test
    public void unknownOptionKeyOfAMethod() {
        InputException e = error(BASE.replace("preset: paper}", "preset: paper, options: {logits: {neg_box: true}}}"));
        assertEquals(e.getMessage(), "mine.yaml: line 33, column 78: unknown key 'neg_box' in methods[1].options.logits;"
                + " allowed: positive_class, positive_box, negative_box, split, score_threshold, progressive");
    }

    @Test
    public void wrongType() {
        InputException e = error(BASE.replace("    batch: 16", "    batch: sixteen"));
        assertEquals(e.getMessage(), "mine.yaml: line 9, column 12: scales.paper.batch: expected an integer, got a "
                + "string 'sixteen'");
        InputException f = error(BASE.replace("lr: 1.0e-4", "lr: [1]"));
        assertEquals(f.getMessage(), "mine.yaml: line 30, column 32: setups[0].schedule.lr: expected a number, got a "
                + "list");
    }

    @Test
    public void unknownMethodListsKnownOnes() {
        InputException e = error(BASE.replace("method: none}", "method: kd}"));
        assertEquals(e.getMessage(), "mine.yaml: line 32, column 25: unknown method 'kd' in methods[0]; known: none, "
                + "teacher, detrdistill, fitnet, fgd, mgd, fkd, fgfi, clockdistill");
    }

    @Test
    public void unknownDetectorAndBackbone() {
        assertEquals(error(BASE.replace("conditional-detr", "dab-detr")).getMessage(), "mine.yaml: line 27, column 15:"
                + " unknown detector 'dab-detr' in setups[0]; known: conditional-detr, deformable-detr, adamixer");
        assertEquals(error(BASE.replace("student: resnet50", "student: resnet152")).getMessage(), "mine.yaml: line 7, "
                + "column 46: unknown student 'resnet152' in scales.paper.backbones; known: resnet18, resnet34, "
                + "resnet50, resnet101, mini-teacher, mini-student");
    }

    @Test
    public void unknownPreset() {
        assertEquals(error(BASE.replace("preset: paper", "preset: official")).getMessage(), "mine.yaml: line 33, "
                + "column 52: unknown preset 'official' in methods[1]; known: paper, released-code");
        assertEquals(error(BASE.replace("{row: none, method: none}", "{row: none, method: none, preset: paper}"))
                .getMessage(), "mine.yaml: line 32, column 31: method none has no presets");
    }

    @Test
    public void studentWithMoreDecoderStagesThanTheTeacherGroupingAllows() {
        InputException e = error(BASE.replace("student: {encoder_stages: 6, decoder_stages: 6",
                "student: {encoder_stages: 6, decoder_stages: 4"));
        assertEquals(e.getMessage(), "mine.yaml: line 29, column 34: the student has 4 decoder stages but per-stage "
                + "logits distillation (method entry 'ld') groups the teacher's 6 stages evenly, one group per student "
                + "stage: the student may have [1, 2, 3, 6] decoder stages (or use progressive: last-stage)");
        // last-stage distillation has no grouping, so the same student is fine
        SuiteReader.parse("mine.yaml", BASE.replace("student: {encoder_stages: 6, decoder_stages: 6",
                "student: {encoder_stages: 6, decoder_stages: 8").replace("preset: paper}",
                "preset: paper, options: {logits: {progressive: last-stage}}}"));
    }

    @Test
    public void impossibleStagesForTheDetector() {
        InputException e = error(BASE.replace("conditional-detr", "adamixer"));
        assertEquals(e.getMessage(), "mine.yaml: line 28, column 15: adamixer has no transformer encoder: the "
                + "teacher's encoder_stages must be 0, got 6");
    }

    @Test
    public void missingEpochMapAndUnmappedEpochs() {
        assertEquals(error(BASE.replace("    epochs: {12: 2}\n", "")).getMessage(), "mine.yaml: line 12, column 5: "
                + "scales.mini needs 'epochs': how the paper's epochs map to this scale's (e.g. {12: 6, 50: 12}); "
                + "only the paper scale may omit it");
        assertEquals(error(BASE.replace("{12: 1}", "{50: 1}")).getMessage(), "mine.yaml: line 24, column 5: "
                + "scales.smoke.epochs does not map the paper's 12 epochs; the suite uses [12]");
    }

    @Test
    public void rowNotInThePaperTable() {
        assertEquals(error(BASE.replace("row: LD,", "row: LDX,")).getMessage(), "mine.yaml: line 33, column 14: row "
                + "'LDX' is not in the paper's table5; rows: none, LD, FD, AD, LD+FD, LD+FD+AD (set paper_value to "
                + "give the number or 'paper_value: null' for a row the paper does not have)");
        SuiteSpec ok = SuiteReader.parse("mine.yaml", BASE.replace("row: LD,", "row: LDX, paper_value: null,"));
        assertEquals(SuiteExpander.expand(ok, Scale.PAPER).get(1).paperValue(), java.util.Map.of());
    }

    @Test
    public void malformedYamlAndDuplicateKeys() {
        InputException e = error(BASE.replace("    batch: 16", "    batch: [16"));
        assertEquals(e.location().startsWith("line 10"), true, e.getMessage());
        assertEquals(e.getMessage().contains("malformed YAML"), true, e.getMessage());
        assertEquals(error(BASE.replace("    batch: 16", "    batch: 16\n    batch: 8")).getMessage(),
                "mine.yaml: line 10, column 5: duplicate key 'batch' (first at line 9, column 5)");
    }

    @Test
    public void clockDistillNeedsAnEncoder() {
        String yaml = BASE.replace("conditional-detr", "adamixer").replace("encoder_stages: 6", "encoder_stages: 0")
                .replace("paper_table: table5\n", "").replace("{id: ld, row: LD, method: detrdistill, preset: paper}",
                        "{row: CLoCKDistill, method: clockdistill}");
        assertEquals(error(yaml).getMessage(), "mine.yaml: line 32, column 25: clockdistill distills the transformer "
                + "encoder's memory, and adamixer (setup 'cond') has no encoder");
    }

    @Test
    public void missingDatasetAtPaperScaleWhenAsked() throws Exception {
        SuiteSpec s = SuiteReader.parse("mine.yaml", BASE);
        Path root = Files.createTempDirectory("suites");
        InputException e = expectThrows(InputException.class, () -> SuiteValidator.checkPaths(s, Scale.PAPER, root));
        assertEquals(e.location(), "line 6, column 27");
        assertEquals(e.problem(), "dataset folder " + root.resolve("no/such/coco") + " does not exist (the paper scale "
                + "needs the COCO 2017 folder: annotations/instances_train2017.json, train2017/, val2017/)");
        Files.createDirectories(root.resolve("no/such/coco"));
        SuiteValidator.checkPaths(s, Scale.PAPER, root);
        SuiteValidator.checkPaths(s, Scale.MINI, root);   // generated data need not exist
    }

    @Test
    public void topLevelKeysAndMissingKeys() {
        assertEquals(error(BASE.replace("suite: mine\n", "suite: mine\nsuites: x\n")).getMessage(), "mine.yaml: line 3,"
                + " column 1: unknown key 'suites' in the suite; allowed: schema, suite, title, paper_table, notes, "
                + "scales, setups, methods, grid");
        assertEquals(error(BASE.replace("    batch: 16\n", "")).getMessage(), "mine.yaml: line 6, column 5: missing "
                + "required key 'batch' in scales.paper");
        assertEquals(error(BASE.replace("schema: 1", "schema: 2")).getMessage(), "mine.yaml: line 1, column 1: "
                + "unsupported schema 2; this version of detrkd reads schema 1");
        assertEquals(error("- a\n- b\n").getMessage(), "mine.yaml: line 1, column 1: the suite: expected a mapping, "
                + "got a list");
        assertEquals(error("").getMessage(), "mine.yaml: line 1: the file is empty");
    }

    @Test
    public void optionValuesAreChecked() {
        assertEquals(error(BASE.replace("{row: none, method: none}", "{row: none, method: none, options: {w: 1}}"))
                .getMessage(), "mine.yaml: line 32, column 31: method none has no options");
        assertEquals(error(BASE.replace("preset: paper}", "preset: paper, options: {lambda_features: -1}}"))
                .getMessage(), "mine.yaml: line 33, column 69: lambda_features must be a finite number >= 0, got -1.0");
        assertEquals(error(BASE.replace("preset: paper}", "preset: paper, options: {logits: {split: none}}}"))
                .getMessage(), "mine.yaml: line 33, column 77: split 'none' has no negatives: set negative_box: false "
                + "(every teacher prediction is then distilled through positive_class/positive_box)");
    }

    @Test
    public void resolvedOptionsFillFromThePreset() {
        SuiteSpec s = SuiteReader.parse("mine.yaml", BASE.replace("preset: paper}",
                "preset: released-code, options: {features: {mask: eq8}}}"));
        Cell c = SuiteExpander.expand(s, Scale.SMOKE).get(1);
        java.util.Map<String, Object> json = Cell.json(c.options());
        assertEquals(json.get("lambda_features"), 1.0);
        assertEquals(((java.util.Map<?, ?>) json.get("features")).get("mask"), "eq8");
        assertEquals(((java.util.Map<?, ?>) json.get("logits")).get("split"), "none");
        assertEquals(((java.util.Map<?, ?>) json.get("logits")).get("negative_box"), false);
        assertEquals(Cell.json(c.student()), java.util.Map.of("backbone", "mini-student", "decoder_stages", 6,
                "detector", "conditional-detr", "encoder_stages", 6, "queries", 300));
        assertEquals(c.teacherHash(), SpecHash.of(c.teacher()));
        assertEquals(c.teacherHash().length(), 16);
    }

    /** BASE with {@code lines} added to the mini scale after its epochs (line 17): the first added line is line 18. */
    private static String mini(String... lines) {
        return BASE.replace("    epochs: {12: 2}\n", "    epochs: {12: 2}\n" + String.join("\n", lines) + "\n");
    }

    private static void assertError(String yaml, String where, String message) {
        InputException e = error(yaml);
        assertEquals(e.getMessage(), "mine.yaml: " + where + ": " + message);
    }

    @Test
    public void stageMaps() {
        assertError(mini("    stages: {encoders: {6: 2}}"), "line 18, column 14",
                "unknown key 'encoders' in scales.mini.stages; allowed: encoder, decoder");
        assertError(mini("    stages: {encoder: {six: 2}}"), "line 18, column 24",
                "scales.mini.stages.encoder: keys are the suite's stage counts (integers >= 1), got 'six'");
        assertError(mini("    stages: {encoder: {6: two}}"), "line 18, column 27",
                "scales.mini.stages.encoder.6: expected an integer, got a string 'two'");
        assertError(mini("    stages: {encoder: {6: 0}}"), "line 18, column 24",
                "scales.mini.stages.encoder.6 must be >= 1, got 0");
        assertError(mini("    stages: {encoder: {3: 1}, decoder: {6: 3}}"), "line 18, column 14",
                "scales.mini.stages.encoder does not map 6; the suite uses the encoder stage counts [6] (map each, "
                        + "e.g. {6: 6} to keep it)");
        assertError(mini("    stages: {decoder: []}"), "line 18, column 23",
                "scales.mini.stages.decoder: expected a mapping, got a list");
    }

    @Test
    public void stageMapsKeepPerStageLogitsDistillationPossible() {
        String yaml = mini("    stages: {encoder: {6: 2}, decoder: {6: 3, 3: 2}}").replace(
                "    student: {encoder_stages: 6, decoder_stages: 6, queries: 300}",
                "    student: {encoder_stages: 6, decoder_stages: 3, queries: 300}");
        assertError(yaml, "line 18, column 31", "the student has 2 decoder stages but per-stage logits distillation "
                + "(method entry 'ld') groups the teacher's 3 stages evenly, one group per student stage at the mini "
                + "scale (stages as mapped by scales.mini.stages): the student may have [1, 3] decoder stages (or use "
                + "progressive: last-stage)");
    }

    @Test
    public void queryMap() {
        assertError(mini("    queries: {100: 40}"), "line 18, column 5",
                "scales.mini.queries does not map 300; the suite uses the query counts [300] (map each, e.g. "
                        + "{300: 300} to keep it)");
        assertError(mini("    queries: 40"), "line 18, column 14", "scales.mini.queries: expected a mapping, got an "
                + "integer 40");
    }

    @Test
    public void scheduleOverrides() {
        assertError(mini("    schedule: {epochs: 4}"), "line 18, column 16", "unknown key 'epochs' in "
                + "scales.mini.schedule; allowed: optimizer, lr, backbone_lr_factor, weight_decay, grad_clip, lr_drops, "
                + "lr_drop_factor, warmup_epochs, warmup_steps");
        assertError(mini("    schedule: {lr: -1.0}"), "line 18, column 16", "scales.mini.schedule.lr must be > 0, "
                + "got -1.0");
        assertError(mini("    schedule: {lr: fast}"), "line 18, column 20", "scales.mini.schedule.lr: expected a "
                + "number, got a string 'fast'");
        assertError(mini("    schedule: {lr_drops: [0.75, 0.5]}"), "line 18, column 33", "lr_drops are ascending "
                + "fractions of the schedule in (0, 1), got 0.5");
        assertError(mini("    schedule: {warmup_steps: -5}"), "line 18, column 16",
                "scales.mini.schedule.warmup_steps must be >= 0, got -5");
        assertError(mini("    schedule: {warmup_steps: 2.5}"), "line 18, column 30",
                "scales.mini.schedule.warmup_steps: expected an integer, got a number 2.5");
    }

    @Test
    public void backboneWeights() {
        assertError(mini("    backbone_weights: {students: a.safetensors}"), "line 18, column 24",
                "unknown key 'students' in scales.mini.backbone_weights; allowed: teacher, student");
        assertError(mini("    backbone_weights: {student: \"builtin:mini-teacher\"}"), "line 18, column 24",
                "unknown built-in 'builtin:mini-teacher' in scales.mini.backbone_weights.student; known: "
                        + "builtin:mini-student (or a path)");
        assertError(mini("    backbone_weights: {student: 3}"), "line 18, column 33",
                "scales.mini.backbone_weights.student: expected a string, got an integer 3");
    }

    @Test
    public void teachers() {
        assertError(mini("    teachers: {conditional: runs/t}"), "line 18, column 16",
                "unknown setup 'conditional' in scales.mini.teachers; setups: cond");
        assertError(mini("    teachers: {cond: \"builtin:mini-adamixer\"}"), "line 18, column 16",
                "unknown built-in 'builtin:mini-adamixer' in scales.mini.teachers.cond; known: "
                        + "builtin:mini-conditional-detr (or a path)");
        assertError(mini("    teachers: [runs/t]"), "line 18, column 15",
                "scales.mini.teachers: expected a mapping, got a list");
    }

    @Test
    public void teacherMinAp() {
        assertError(mini("    teacher_min_ap: 30"), "line 18, column 5",
                "scales.mini.teacher_min_ap is a COCO AP in [0, 1], got 30.0");
        assertError(mini("    teacher_min_ap: high"), "line 18, column 21",
                "scales.mini.teacher_min_ap: expected a number, got a string 'high'");
    }

    @Test
    public void newKeysExpandIntoTheCells() {
        SuiteSpec s = SuiteReader.parse("mine.yaml", mini(
                "    stages: {encoder: {6: 2}, decoder: {6: 3}}",
                "    queries: {300: 40}",
                "    schedule: {lr: 3.0e-4, backbone_lr_factor: 1.0, warmup_steps: 200, lr_drops: [0.75]}",
                "    backbone_weights: {teacher: pre.safetensors, student: \"builtin:mini-student\"}",
                "    teacher_min_ap: 0.3"));
        Cell ld = SuiteExpander.expand(s, Scale.MINI).get(2);
        assertEquals(ld.student(), new Cell.ModelSpec("conditional-detr", "mini-student", 2, 3, 40,
                new Cell.FileRef("builtin:mini-student", null)));
        assertEquals(ld.teacher().model(), new Cell.ModelSpec("conditional-detr", "mini-teacher", 2, 3, 40,
                new Cell.FileRef("pre.safetensors", null)));
        assertEquals(ld.schedule().lr(), 3.0e-4);
        assertEquals(ld.schedule().backboneLrFactor(), 1.0);
        assertEquals(ld.schedule().weightDecay(), 1.0e-4);
        assertEquals(ld.schedule().warmupSteps(10), 200L);
        assertEquals(ld.schedule().lrDropEpochs(), java.util.List.of(1)); // floor(0.75 x 2 epochs)
        assertEquals(ld.requiredTeacherAp(), 0.3);
        // the paper scale is as written: no maps, no files, the default gate
        Cell paper = SuiteExpander.expand(s, Scale.PAPER).get(1);
        assertEquals(paper.student(), new Cell.ModelSpec("conditional-detr", "resnet50", 6, 6, 300));
        assertEquals(paper.schedule().warmupSteps(10), 0L);
        assertEquals(paper.requiredTeacherAp(), Cell.DEFAULT_MIN_TEACHER_AP);
        assertEquals(SuiteExpander.expand(s, Scale.SMOKE).get(1).requiredTeacherAp(), -1.0);
    }
}
