package org.detrkd.suites.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.detrkd.datasets.io.InputException;
import org.detrkd.detr.adamixer.AdaMixerConfig;
import org.detrkd.detr.backbone.ResNetSpec;
import org.detrkd.detr.conditional.ConditionalDetrConfig;
import org.detrkd.detr.deformable.DeformableDetrConfig;
import org.detrkd.detr.distill.DistillRun;
import org.detrkd.detr.engine.CheckpointStore;
import org.detrkd.detr.train.DetectorFactory;
import org.detrkd.detr.train.RunSpec;
import org.detrkd.quickstart.ShippedFiles;
import org.detrkd.reports.model.Scale;
import org.detrkd.suites.spec.Cell;
import org.detrkd.suites.spec.Cell.FileRef;
import org.detrkd.suites.spec.Cell.ModelSpec;
import org.detrkd.suites.spec.Cell.TeacherSpec;
import org.detrkd.suites.spec.KnownNames;
import org.detrkd.suites.spec.SuiteSpec;
import org.detrkd.suites.spec.SuiteSpec.ScaleSpec;

/**
 * The files a scale's cells start from, resolved before anything runs: pretrained backbones
 * ({@code backbone_weights:}) and existing teachers ({@code teachers:}). Each file must exist (a missing one is a
 * one-line {@link InputException} at the suite's line that names the command making it), a teacher run must be
 * finished and must be the suite's teacher at this scale (detector, backbone, stages, queries, classes), and each
 * file's SHA-256 is filled into the cells ({@link FileRef#sha256()}), so it is part of every spec and teacher hash and
 * of every result record.
 *
 * <p>Paths resolve against the data root (as dataset paths); {@code builtin:mini-student} and
 * {@code builtin:mini-conditional-detr} are the quickstart's shipped files ({@link ShippedFiles}), copied once,
 * checksums verified, into {@code TEACHER_CACHE/builtin/}.
 */
public final class CellFiles {
    /** The folder under the teacher cache where the shipped files are copied. */
    static final String BUILTIN_DIR = "builtin";
    /** The checkpoint metric a finished {@code detrkd train} run's last checkpoint carries. */
    private static final String FINAL_AP = "eval/final/AP";

    private final Path dataRoot;
    private final Path teacherCache;

    /**
     * @param dataRoot relative paths resolve against it
     * @param teacherCache the runner's teacher cache (the shipped files go into its {@code builtin/})
     */
    public CellFiles(Path dataRoot, Path teacherCache) {
        this.dataRoot = dataRoot.toAbsolutePath().normalize();
        this.teacherCache = teacherCache.toAbsolutePath().normalize();
    }

    /**
     * Checks the files the cells name and fills in their SHA-256.
     *
     * @param suite the suite (for the file and line of messages)
     * @param scale the cells' scale
     * @param cells cells of that scale
     * @return the cells with every {@link FileRef} hashed
     * @throws InputException for a missing file, an unfinished teacher run or a teacher that is not the suite's
     */
    public List<Cell> resolve(SuiteSpec suite, Scale scale, List<Cell> cells) throws IOException {
        ScaleSpec sc = suite.scales().get(scale);
        Map<String, String> hashes = new HashMap<>();
        List<Cell> out = new ArrayList<>();
        for (Cell c : cells) {
            TeacherSpec t = c.teacher();
            if (t != null) {
                t = t.with(backbone(suite, sc, t.model(), "teacher", hashes), t.given() == null ? null
                        : given(suite, sc, setupOf(suite, c), t, hashes));
            }
            ModelSpec student = c.method().equals("teacher") ? t.model()
                    : backbone(suite, sc, c.student(), "student", hashes);
            out.add(c.withModels(t, student));
        }
        return out;
    }

    /** Whether every file the cell names carries its SHA-256. */
    static boolean resolved(Cell c) {
        return hashed(c.student().backboneWeights()) && (c.teacher() == null
                || hashed(c.teacher().model().backboneWeights()) && hashed(c.teacher().given()));
    }

    private static boolean hashed(FileRef r) {
        return r == null || r.sha256() != null;
    }

    /** The file of a backbone reference. */
    Path backboneFile(FileRef ref) throws IOException {
        return ref.source().startsWith(KnownNames.BUILTIN) ? shipped().studentBackbone() : path(ref.source());
    }

    /** The run folder (with {@code spec.json}) of a given teacher. */
    Path teacherRun(FileRef ref) throws IOException {
        return ref.source().startsWith(KnownNames.BUILTIN) ? shipped().teacherDir() : path(ref.source());
    }

    /** The weights (a folder holding {@code student.safetensors}) of a given teacher: its run's latest checkpoint. */
    Path teacherWeights(FileRef ref) throws IOException {
        return DistillRun.latestWeights(teacherRun(ref));
    }

    private Path path(String source) {
        return dataRoot.resolve(source).normalize();
    }

    private ShippedFiles.Materialized shipped() throws IOException {
        Path dir = teacherCache.resolve(BUILTIN_DIR);
        try (FileLocks.Held lock = FileLocks.acquire(teacherCache.resolve(BUILTIN_DIR + ".lock"))) {
            return ShippedFiles.fromClasspath().materialize(dir);
        }
    }

    private ModelSpec backbone(SuiteSpec suite, ScaleSpec sc, ModelSpec m, String role, Map<String, String> hashes)
            throws IOException {
        FileRef ref = m.backboneWeights();
        if (ref == null || ref.sha256() != null) {
            return m;
        }
        String sha = hashes.get("backbone:" + ref.source());
        if (sha == null) {
            Path file = backboneFile(ref);
            if (!Files.isRegularFile(file)) {
                String at = "scales." + sc.scale().id() + ".backbone_weights." + role;
                throw new InputException(suite.file(), suite.where(at), "backbone weights file " + file + " does not "
                        + "exist; make it with: ./detrkd pretrain --size " + size(m.backbone()) + " --data "
                        + sc.dataset().path() + " --out " + ref.source() + " --steps "
                        + (role.equals("teacher") ? 2000 : 3000), null);
            }
            sha = ShippedFiles.sha256(file);
            hashes.put("backbone:" + ref.source(), sha);
        }
        return m.withBackboneWeights(new FileRef(ref.source(), sha));
    }

    private FileRef given(SuiteSpec suite, ScaleSpec sc, String setup, TeacherSpec t, Map<String, String> hashes)
            throws IOException {
        FileRef ref = t.given();
        if (ref.sha256() != null) {
            return ref;
        }
        String at = "scales." + sc.scale().id() + ".teachers." + setup;
        String key = "teacher:" + ref.source();
        String sha = hashes.get(key);
        if (sha == null) {
            Path run = teacherRun(ref);
            if (!Files.isRegularFile(run.resolve(RunSpec.FILE))) {
                throw new InputException(suite.file(), suite.where(at), "teacher run folder " + run + " does not "
                        + "exist (no " + RunSpec.FILE + "); train it with: " + trainCommand(sc, t, ref), null);
            }
            RunSpec spec = RunSpec.read(run.resolve(RunSpec.FILE));
            checkSameTeacher(suite, at, spec, t.model(), run);
            Path weights;
            try {
                weights = DistillRun.latestWeights(run);
            } catch (InputException e) {
                throw new InputException(suite.file(), suite.where(at), "teacher run " + run + " holds no checkpoint "
                        + "yet; train it with: " + trainCommand(sc, t, ref), null);
            }
            if (!weights.equals(run)) { // a train run: its last checkpoint must be the final one
                Map<String, Double> metrics = new CheckpointStore(weights.getParent(), 0).readState(weights)
                        .metrics();
                if (!metrics.containsKey(FINAL_AP)) {
                    throw new InputException(suite.file(), suite.where(at), "teacher run " + run + " is not finished "
                            + "(its latest checkpoint " + weights.getFileName() + " has no final evaluation): run its "
                            + "'detrkd train' command again to finish it: " + trainCommand(sc, t, ref), null);
                }
            }
            sha = ShippedFiles.sha256(weights.resolve("student.safetensors"));
            hashes.put(key, sha);
        }
        return new FileRef(ref.source(), sha);
    }

    /**
     * Refuses a teacher run that is not the suite's teacher at this scale: another detector, backbone, stage count,
     * query count, input level, or (when the dataset exists already) class count.
     */
    private void checkSameTeacher(SuiteSpec suite, String at, RunSpec spec, ModelSpec want, Path run)
            throws IOException {
        ModelSpec have;
        int featureLevel;
        try {
            have = model(spec);
            featureLevel = spec.detector().equals("conditional-detr")
                    ? DetectorFactory.config(spec).featureLevel() : 0;
        } catch (IllegalArgumentException | InputException e) {
            throw new InputException(suite.file(), suite.where(at), "teacher run " + run + ": cannot read its model ("
                    + e.getMessage() + ")", null);
        }
        List<String> diff = new ArrayList<>();
        diff(diff, "detector", have.detector(), want.detector());
        diff(diff, "backbone", have.backbone(), want.backbone());
        diff(diff, "encoder stages", have.encoderStages(), want.encoderStages());
        diff(diff, "decoder stages", have.decoderStages(), want.decoderStages());
        diff(diff, "queries", have.queries(), want.queries());
        if (want.detector().equals("conditional-detr") && diff.isEmpty()) {
            diff(diff, "input level C", featureLevel, Models.config(want, spec.numClasses()).featureLevel());
        }
        SuiteSpec.DatasetSpec d = suite.scales().get(scaleOf(suite, at)).dataset();
        Path data = DataSets.folder(d, dataRoot);
        if (Files.isDirectory(data.resolve("annotations"))) {
            diff(diff, "classes", spec.numClasses(), DataSets.numClasses(data));
        }
        if (!diff.isEmpty()) {
            throw new InputException(suite.file(), suite.where(at), "teacher run " + run + " is not the suite's "
                    + "teacher at this scale: " + String.join("; ", diff), null);
        }
    }

    private static void diff(List<String> out, String what, Object run, Object suite) {
        if (!run.equals(suite)) {
            out.add(what + " " + run + " in the run, " + suite + " in the suite");
        }
    }

    /** The model a {@code detrkd train} run built (its preset's stages, its queries). */
    static ModelSpec model(RunSpec spec) {
        int k = spec.numClasses();
        String backbone = switch (spec.size()) {
            case "teacher" -> "mini-teacher";
            case "student" -> "mini-student";
            default -> "resnet50";
        };
        int queries = spec.queries() > 0 ? spec.queries() : DetectorFactory.defaultQueries(spec.detector(),
                spec.size(), k);
        return switch (spec.detector()) {
            case "deformable-detr" -> {
                DeformableDetrConfig c = switch (spec.size()) {
                    case "teacher" -> DeformableDetrConfig.miniTeacher(k);
                    case "student" -> DeformableDetrConfig.miniStudent(k);
                    default -> DeformableDetrConfig.paper(k, ResNetSpec.resnet50());
                };
                yield new ModelSpec(spec.detector(), backbone, c.encoderLayers(), c.decoderLayers(), queries);
            }
            case "adamixer" -> {
                AdaMixerConfig c = switch (spec.size()) {
                    case "teacher" -> AdaMixerConfig.miniTeacher(k);
                    case "student" -> AdaMixerConfig.miniStudent(k);
                    default -> AdaMixerConfig.paper(k, ResNetSpec.resnet50());
                };
                yield new ModelSpec(spec.detector(), backbone, 0, c.stages(), queries);
            }
            default -> {
                ConditionalDetrConfig c = DetectorFactory.config(spec);
                yield new ModelSpec(spec.detector(), backbone, c.encoderLayers(), c.decoderLayers(), queries);
            }
        };
    }

    /** The {@code detrkd train} command that makes a missing teacher run (the README's calibration recipe). */
    private static String trainCommand(ScaleSpec sc, TeacherSpec t, FileRef ref) {
        String weights = sc.backboneWeights().teacher();
        return "./detrkd train --detector " + t.model().detector() + " --size " + size(t.model().backbone())
                + " --data " + sc.dataset().path() + " --epochs 24"
                + (weights == null ? "" : " --backbone-weights " + weights) + " --threads 1 --eval-every 4 --out "
                + ref.source();
    }

    private static String size(String backbone) {
        return switch (backbone) {
            case "mini-teacher" -> "teacher";
            case "mini-student" -> "student";
            default -> "paper";
        };
    }

    private static String setupOf(SuiteSpec suite, Cell c) {
        return c.cellId().substring(0, c.cellId().indexOf('.'));
    }

    private static Scale scaleOf(SuiteSpec suite, String at) {
        String id = at.split("\\.")[1];
        for (Scale s : Scale.values()) {
            if (s.id().equals(id)) {
                return s;
            }
        }
        throw new IllegalArgumentException(at);
    }
}
