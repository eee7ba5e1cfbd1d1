package org.detrkd.suites.spec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.detrkd.reports.model.PaperRef;
import org.detrkd.reports.model.PaperTables;
import org.detrkd.reports.model.Scale;
import org.detrkd.suites.spec.Cell.ModelSpec;
import org.detrkd.suites.spec.Cell.TeacherSpec;
import org.detrkd.suites.spec.Cell.TrainingSchedule;
import org.detrkd.suites.spec.SuiteSpec.ArchSpec;
import org.detrkd.suites.spec.SuiteSpec.MethodEntry;
import org.detrkd.suites.spec.SuiteSpec.ScaleSpec;
import org.detrkd.suites.spec.SuiteSpec.ScheduleSpec;
import org.detrkd.suites.spec.SuiteSpec.SetupSpec;

/**
 * Expands a suite at one scale into its cells.
 *
 * <p>For every setup (in file order) and every method entry that runs on it (in file order):
 * <ul>
 *   <li>{@code teacher}: one cell, the setup's teacher at the scale's teacher seed (the teacher is one model, shared by
 *       every distillation cell of the setup, so it is not repeated per seed or grid point);
 *   <li>any other method: one cell per grid epoch (or the setup's epochs) x student stage variant (or the setup's
 *       student) x seed.
 * </ul>
 * Cell ids are {@code SETUP.METHOD[.eN][.encE-decD]} (the paper's epochs and stages, so ids are the same at every
 * scale). The models are built with the scale's stage and query counts ({@code stages:}, {@code queries:}), the
 * schedules carry the scale's overrides ({@code schedule:}), students and trained teachers name the scale's backbone
 * files ({@code backbone_weights:}) and a setup listed in {@code teachers:} names its existing teacher; file hashes are
 * filled in by the runner. The paper reference: table = the suite's, group = the stage variant's {@code E/D} when the grid has stage
 * variants (table 4), else the setup's group; row = the entry's row; column = {@code AP@epochN} when the grid has
 * epochs (table 1). The paper's numbers come from {@link PaperTables} or the entry's {@code paper_value}.
 */
public final class SuiteExpander {
    private SuiteExpander() {
    }

    /** The cells of a suite at a scale, in setup, method, epoch, stage, seed order. */
    public static List<Cell> expand(SuiteSpec suite, Scale scale) {
        ScaleSpec sc = suite.scales().get(scale);
        List<Cell> out = new ArrayList<>();
        for (SetupSpec setup : suite.setups()) {
            TeacherSpec teacher = teacher(setup, sc);
            for (MethodEntry m : suite.methods()) {
                if (!m.setups().isEmpty() && !m.setups().contains(setup.id())) {
                    continue;
                }
                String base = setup.id() + "." + m.id();
                if (m.method().equals("teacher")) {
                    PaperRef ref = new PaperRef(suite.paperTable(), suite.grid().studentStages().isEmpty()
                            ? setup.group() : null, m.row(), null);
                    out.add(new Cell(suite.id(), scale, base, teacher.seed(), m.method(), m.preset(), m.options(),
                            teacher, teacher.model(), teacher.schedule(), sc.dataset(), ref, paperValue(m, ref),
                            sc.teacherMinAp()));
                    continue;
                }
                List<Integer> epochs = suite.grid().epochs().isEmpty() ? List.of(setup.schedule().epochs())
                        : suite.grid().epochs();
                List<ArchSpec> stages = suite.grid().studentStages().isEmpty() ? List.of(setup.student())
                        : suite.grid().studentStages();
                for (int e : epochs) {
                    for (ArchSpec st : stages) {
                        String id = base + (suite.grid().epochs().isEmpty() ? "" : ".e" + e)
                                + (suite.grid().studentStages().isEmpty() ? ""
                                        : ".enc" + st.encoderStages() + "-dec" + st.decoderStages());
                        PaperRef ref = new PaperRef(suite.paperTable(), suite.grid().studentStages().isEmpty()
                                ? setup.group() : st.label(), m.row(),
                                suite.grid().epochs().isEmpty() ? null : "AP@epoch" + e);
                        ArchSpec mapped = sc.map(new ArchSpec(st.encoderStages(), st.decoderStages(),
                                setup.student().queries()));
                        ModelSpec student = new ModelSpec(setup.detector(), sc.studentBackbone(),
                                mapped.encoderStages(), mapped.decoderStages(), mapped.queries(),
                                fileRef(sc.backboneWeights().student()));
                        TrainingSchedule schedule = schedule(sc.schedule().apply(setup.schedule()), e, sc);
                        for (long seed : sc.seeds()) {
                            out.add(new Cell(suite.id(), scale, id, seed, m.method(), m.preset(), m.options(),
                                    m.options().needsTeacher() ? teacher : null, student, schedule, sc.dataset(), ref,
                                    paperValue(m, ref), sc.teacherMinAp()));
                        }
                    }
                }
            }
        }
        return out;
    }

    /** The number of cells of a suite at a scale. */
    public static int count(SuiteSpec suite, Scale scale) {
        return expand(suite, scale).size();
    }

    /** The distinct teachers the cells need (each trained once), by hash. */
    public static Map<String, TeacherSpec> teachers(List<Cell> cells) {
        Map<String, TeacherSpec> out = new LinkedHashMap<>();
        for (Cell c : cells) {
            if (c.teacher() != null) {
                out.putIfAbsent(c.teacherHash(), c.teacher());
            }
        }
        return out;
    }

    /**
     * The teacher of a setup at a scale: its stages and queries mapped, the scale's schedule overrides applied, and
     * either the scale's existing teacher for the setup ({@code teachers:}, then no backbone file: its checkpoint is
     * the whole model) or a teacher to train from the scale's teacher backbone file (if any).
     */
    static TeacherSpec teacher(SetupSpec setup, ScaleSpec sc) {
        ArchSpec t = sc.map(setup.teacher());
        String given = sc.teachers().get(setup.id());
        ModelSpec model = new ModelSpec(setup.detector(), sc.teacherBackbone(), t.encoderStages(),
                t.decoderStages(), t.queries(), given == null ? fileRef(sc.backboneWeights().teacher()) : null);
        ScheduleSpec schedule = sc.schedule().apply(setup.schedule());
        return new TeacherSpec(model, schedule(schedule, schedule.epochs(), sc), sc.dataset(), sc.teacherSeed(),
                fileRef(given));
    }

    private static Cell.FileRef fileRef(String source) {
        return source == null ? null : new Cell.FileRef(source, null);
    }

    /** The schedule for {@code paperEpochs} at a scale ({@link SuiteValidator} checks the epoch map covers it). */
    static TrainingSchedule schedule(ScheduleSpec s, int paperEpochs, ScaleSpec sc) {
        int epochs = sc.epochs().isEmpty() ? paperEpochs : sc.epochs().getOrDefault(paperEpochs, paperEpochs);
        TreeSet<Integer> drops = new TreeSet<>();
        for (double f : s.lrDrops()) {
            int d = (int) Math.floor(f * epochs);
            if (d >= 1 && d < epochs) {
                drops.add(d);
            }
        }
        return new TrainingSchedule(epochs, paperEpochs, sc.batch(), sc.image(), s.optimizer(), s.lr(),
                s.backboneLrFactor(), s.weightDecay(), s.gradClip(), List.copyOf(drops), s.lrDropFactor(),
                s.warmupEpochs(), s.warmupSteps());
    }

    private static Map<String, Double> paperValue(MethodEntry m, PaperRef ref) {
        if (m.paperValue() != null) {
            return m.paperValue();
        }
        if (ref.table() == null) {
            return Map.of();
        }
        return PaperTables.get().lookup(ref).orElse(Map.of());
    }
}
