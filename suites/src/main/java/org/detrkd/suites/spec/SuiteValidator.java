package org.detrkd.suites.spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.detrkd.datasets.io.InputException;
import org.detrkd.reports.model.PaperTables;
import org.detrkd.reports.model.Scale;
import org.detrkd.suites.spec.SuiteSpec.ArchSpec;
import org.detrkd.suites.spec.SuiteSpec.MethodEntry;
import org.detrkd.suites.spec.SuiteSpec.ScaleSpec;
import org.detrkd.suites.spec.SuiteSpec.SetupSpec;

/**
 * The checks a suite needs beyond its types: unique ids, references between sections, settings that cannot run
 * (stages a detector or a method cannot have, epochs a scale does not map) and the paper reference of every cell.
 * Each failure is an {@link InputException} at the line of the offending key. {@link #checkPaths} (dataset folders
 * exist) runs only when asked, since a suite is listed and shown on machines without the data.
 */
public final class SuiteValidator {
    private SuiteValidator() {
    }

    /** Validates a suite read by {@link SuiteReader}. */
    static void validate(SuiteSpec s) {
        Set<String> setupIds = new HashSet<>();
        for (int i = 0; i < s.setups().size(); i++) {
            SetupSpec setup = s.setups().get(i);
            String at = "setups[" + i + "]";
            if (!setupIds.add(setup.id())) {
                fail(s, at + ".id", "setup id '" + setup.id() + "' is used twice");
            }
            checkArch(s, setup.detector(), setup.teacher(), at + ".teacher", "teacher");
            checkArch(s, setup.detector(), setup.student(), at + ".student", "student");
        }
        Set<String> methodIds = new HashSet<>();
        for (int j = 0; j < s.methods().size(); j++) {
            MethodEntry m = s.methods().get(j);
            String at = "methods[" + j + "]";
            if (!methodIds.add(m.id())) {
                fail(s, at + ".id", "method id '" + m.id() + "' is used twice: give each entry its own 'id'");
            }
            for (int k = 0; k < m.setups().size(); k++) {
                if (!setupIds.contains(m.setups().get(k))) {
                    fail(s, at + ".setups[" + k + "]", "unknown setup '" + m.setups().get(k) + "'; setups: "
                            + String.join(", ", s.setups().stream().map(SetupSpec::id).toList()));
                }
            }
            for (SetupSpec setup : s.setups()) {
                if (m.setups().isEmpty() || m.setups().contains(setup.id())) {
                    checkMethodOnSetup(s, m, at, setup);
                }
            }
        }
        checkEpochMaps(s);
        checkScaleMaps(s);
        checkPaperRefs(s);
    }

    /**
     * Each scale's stage and query maps cover every count the suite uses (teachers, students, the grid's stage
     * variants), its {@code teachers:} name setups of the suite, and per-stage logits distillation still groups the
     * teacher's mapped decoder stages evenly over each student's.
     */
    private static void checkScaleMaps(SuiteSpec s) {
        for (ScaleSpec sc : s.scales().values()) {
            String at = "scales." + sc.scale().id();
            TreeSet<Integer> enc = new TreeSet<>();
            TreeSet<Integer> dec = new TreeSet<>();
            TreeSet<Integer> queries = new TreeSet<>();
            for (SetupSpec setup : s.setups()) {
                List<ArchSpec> archs = new ArrayList<>(List.of(setup.teacher(), setup.student()));
                archs.addAll(s.grid().studentStages());
                for (ArchSpec a : archs) {
                    if (a.encoderStages() > 0) {
                        enc.add(a.encoderStages());
                    }
                    dec.add(a.decoderStages());
                }
                queries.add(setup.teacher().queries());
                queries.add(setup.student().queries());
            }
            checkCovered(s, sc.encoderStages(), enc, at + ".stages.encoder", "encoder stage counts");
            checkCovered(s, sc.decoderStages(), dec, at + ".stages.decoder", "decoder stage counts");
            checkCovered(s, sc.queries(), queries, at + ".queries", "query counts");
            for (String id : sc.teachers().keySet()) {
                if (s.setups().stream().noneMatch(x -> x.id().equals(id))) {
                    fail(s, at + ".teachers." + id, "unknown setup '" + id + "' in " + at + ".teachers; setups: "
                            + String.join(", ", s.setups().stream().map(SetupSpec::id).toList()));
                }
            }
            if (sc.encoderStages().isEmpty() && sc.decoderStages().isEmpty()) {
                continue; // the counts as written, checked above
            }
            for (int j = 0; j < s.methods().size(); j++) {
                MethodEntry m = s.methods().get(j);
                for (SetupSpec setup : s.setups()) {
                    if (!m.setups().isEmpty() && !m.setups().contains(setup.id())) {
                        continue;
                    }
                    SetupSpec mapped = new SetupSpec(setup.id(), setup.group(), setup.detector(),
                            sc.map(setup.teacher()), sc.map(setup.student()), setup.schedule());
                    List<ArchSpec> students = s.grid().studentStages().isEmpty() ? List.of(setup.student())
                            : s.grid().studentStages();
                    for (ArchSpec st : students) {
                        checkStages(s, m, mapped, sc.map(st), at + (sc.decoderStages().isEmpty() ? ".stages"
                                : ".stages.decoder"), " at the " + sc.scale().id() + " scale (stages as mapped by "
                                + at + ".stages)");
                    }
                }
            }
        }
    }

    private static void checkCovered(SuiteSpec s, java.util.Map<Integer, Integer> map, TreeSet<Integer> used,
            String at, String what) {
        if (map.isEmpty()) {
            return;
        }
        for (int n : used) {
            if (!map.containsKey(n)) {
                fail(s, at, at + " does not map " + n + "; the suite uses the " + what + " " + used
                        + " (map each, e.g. {" + n + ": " + n + "} to keep it)");
            }
        }
    }

    private static void checkArch(SuiteSpec s, String detector, ArchSpec a, String at, String role) {
        boolean encoderless = KnownNames.ENCODERLESS.contains(detector);
        if (encoderless && a.encoderStages() != 0) {
            fail(s, at + ".encoder_stages", detector + " has no transformer encoder: the " + role
                    + "'s encoder_stages must be 0, got " + a.encoderStages());
        }
        if (!encoderless && a.encoderStages() < 1) {
            fail(s, at + ".encoder_stages", detector + " needs at least 1 encoder stage, got " + a.encoderStages());
        }
    }

    private static void checkMethodOnSetup(SuiteSpec s, MethodEntry m, String at, SetupSpec setup) {
        if (m.method().equals("clockdistill") && KnownNames.ENCODERLESS.contains(setup.detector())) {
            fail(s, at + ".method", "clockdistill distills the transformer encoder's memory, and " + setup.detector()
                    + " (setup '" + setup.id() + "') has no encoder");
        }
        int setupIndex = s.setups().indexOf(setup);
        if (s.grid().studentStages().isEmpty()) {
            checkStages(s, m, setup, setup.student(), "setups[" + setupIndex + "].student.decoder_stages", "");
        } else {
            for (int k = 0; k < s.grid().studentStages().size(); k++) {
                ArchSpec v = s.grid().studentStages().get(k);
                checkArch(s, setup.detector(), v, "grid.student_stages[" + k + "]", "student");
                checkStages(s, m, setup, v, "grid.student_stages[" + k + "]", "");
            }
        }
    }

    /**
     * Per-stage (progressive) logits distillation pairs student stage k with group k of the teacher's stages (paper
     * Fig. 5): the teacher's decoder stages must split into as many equal groups as the student has stages.
     */
    private static void checkStages(SuiteSpec s, MethodEntry m, SetupSpec setup, ArchSpec student, String at,
            String scaleNote) {
        if (!(m.options() instanceof MethodOptions.DetrDistill d) || !d.logits().enabled()
                || !d.logits().progressive().equals("per-stage")) {
            return;
        }
        int t = setup.teacher().decoderStages();
        int st = student.decoderStages();
        if (st > t || t % st != 0) {
            List<Integer> ok = new ArrayList<>();
            for (int k = 1; k <= t; k++) {
                if (t % k == 0) {
                    ok.add(k);
                }
            }
            fail(s, at, "the student has " + st + " decoder stages but per-stage logits distillation (method entry '"
                    + m.id() + "') groups the teacher's " + t + " stages evenly, one group per student stage"
                    + scaleNote + ": "
                    + "the student may have " + ok + " decoder stages (or use progressive: last-stage)");
        }
    }

    private static void checkEpochMaps(SuiteSpec s) {
        TreeSet<Integer> used = new TreeSet<>(s.grid().epochs());
        s.setups().forEach(x -> used.add(x.schedule().epochs()));
        for (ScaleSpec sc : s.scales().values()) {
            if (sc.epochs().isEmpty()) {
                continue;
            }
            for (int e : used) {
                if (!sc.epochs().containsKey(e)) {
                    fail(s, "scales." + sc.scale().id() + ".epochs", "scales." + sc.scale().id() + ".epochs does not"
                            + " map the paper's " + e + " epochs; the suite uses " + used);
                }
            }
        }
    }

    private static void checkPaperRefs(SuiteSpec s) {
        PaperTables paper = PaperTables.get();
        if (s.paperTable() == null) {
            return;
        }
        if (!paper.hasTable(s.paperTable())) {
            fail(s, "paper_table", "unknown paper table '" + s.paperTable() + "'; known: table1, table2, table3, "
                    + "table4, table5, table6, table7, released_code_readme (or leave it out)");
        }
        for (int k = 0; k < s.grid().epochs().size(); k++) {
            String col = "AP@epoch" + s.grid().epochs().get(k);
            if (!paper.epochColumns(s.paperTable()).containsKey(col)) {
                fail(s, "grid.epochs[" + k + "]", s.paperTable() + " has no column " + col + "; columns: "
                        + String.join(", ", paper.epochColumns(s.paperTable()).keySet()));
            }
        }
        for (Cell c : SuiteExpander.expand(s, Scale.PAPER)) {
            MethodEntry m = s.methods().stream().filter(e -> c.cellId().split("\\.")[1].equals(e.id())).findFirst()
                    .orElseThrow();
            int j = s.methods().indexOf(m);
            boolean found = paper.lookup(c.paper()).isPresent();
            if (found && m.paperValue() != null) {
                fail(s, "methods[" + j + "].paper_value", "the paper's " + s.paperTable() + " has row '" + m.row()
                        + "': remove paper_value (the number comes from the table)");
            }
            if (!found && m.paperValue() == null && !m.explicitlyNotInPaper()) {
                List<String> rows = paper.rows(s.paperTable(), c.paper().group());
                String group = c.paper().group() == null ? "" : " group '" + c.paper().group() + "'";
                fail(s, "methods[" + j + "].row", "row '" + m.row() + "' is not in the paper's " + s.paperTable()
                        + group + (rows.isEmpty() ? "; groups: " + String.join(" | ", paper.groups(s.paperTable()))
                        : "; rows: " + String.join(", ", rows)) + " (set paper_value to give the number or "
                        + "'paper_value: null' for a row the paper does not have)");
            }
        }
    }

    /**
     * Checks that the dataset folder of a scale exists (only for data given by path, {@code coco}; generated data is
     * made by the runner). Relative paths are resolved against {@code root}.
     *
     * @throws InputException at the line of {@code dataset.path} when the folder is missing
     */
    public static void checkPaths(SuiteSpec s, Scale scale, Path root) {
        SuiteSpec.DatasetSpec d = s.scales().get(scale).dataset();
        if (d.generated()) {
            return;
        }
        Path p = root.resolve(d.path()).toAbsolutePath().normalize();
        if (!Files.isDirectory(p)) {
            fail(s, "scales." + scale.id() + ".dataset.path", "dataset folder " + p + " does not exist (the "
                    + scale.id() + " scale needs the COCO 2017 folder: annotations/instances_train2017.json, "
                    + "train2017/, val2017/)");
        }
    }

    private static void fail(SuiteSpec s, String path, String problem) {
        throw new InputException(s.file(), s.where(path), problem, null);
    }
}
