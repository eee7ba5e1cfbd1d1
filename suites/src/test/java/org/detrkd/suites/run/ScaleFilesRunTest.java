package org.detrkd.suites.run;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.detrkd.detr.distill.DistillRun;
import org.detrkd.detr.distill.StudentWeights;
import org.detrkd.detr.model.Detector;
import org.detrkd.detr.pretrain.BackboneWeights;
import org.detrkd.detr.train.RunSpec;
import org.detrkd.detr.train.TrainRun;
import org.detrkd.quickstart.ShippedFiles;
import org.detrkd.reports.model.ResultJson;
import org.detrkd.reports.model.ResultRecord;
import org.detrkd.reports.model.Status;
import org.detrkd.suites.spec.Cell;
import org.detrkd.suites.spec.SuiteSpec;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.Test;

/**
 * A smoke-scale run with the scale keys that make the mini scale: {@code teachers:} (a tiny teacher run folder made
 * here by {@code TrainRun}, the code of {@code detrkd train}), {@code backbone_weights:} (a small file written here),
 * the stage and query maps, schedule overrides and {@code teacher_min_ap}. The student's backbone provably starts
 * from the file (trained at lr 1e-30, its weights after the run are the file's to 1e-20; a random initialisation is
 * off by 1e-3 or more), the result records carry both
 * SHA-256s, the given teacher is evaluated, not trained, and the gate refuses a teacher below the declared AP.
 */
public class ScaleFilesRunTest {
    private static final int CLASSES = 8;
    private Path root;
    private Path teacherRun;
    private Path backbone;

    @BeforeClass
    public void makeTeacherRunAndBackboneFile() throws Exception {
        root = Files.createTempDirectory("detrkd-scale-files");
        Path data = DataSets.ensure(new SuiteSpec.DatasetSpec("shapes", "data/smoke", 8, 4, 64, 3), root, 1);
        teacherRun = root.resolve("runs/teacher");
        RunSpec spec = new RunSpec("conditional-detr", "teacher", CLASSES, 10, data.toString(), "train", "val", 1, 0,
                2, 1e-4, 1.0, 1e-4, 0.1, 0, new int[0], 0.1, "flip", 64, 1, 1, 0, 1, 0, null, null, Map.of());
        new TrainRun(spec, teacherRun).run();
        backbone = root.resolve("pre-student.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(4242); // not the cell's seed: its own initialisation differs
            Detector d = Models.create(new Cell.ModelSpec("conditional-detr", "mini-student", 1, 1, 10), CLASSES, m,
                    64);
            BackboneWeights.save(BackboneWeights.backboneOf(d), backbone);
        }
    }

    /** A smoke suite: teacher 6/6 x 300 queries maps to the run's 2/3 x 10, the student 6/3 to 1/1 x 10. */
    private Path suite(String id, String minAp, String teacher, String weights) throws Exception {
        String yaml = RunFixtures.suite(id, "1.0e-4", 1)
                .replace("    teacher: {encoder_stages: 1, decoder_stages: 1, queries: 10}",
                        "    teacher: {encoder_stages: 6, decoder_stages: 6, queries: 300}")
                .replace("    student: {encoder_stages: 1, decoder_stages: 1, queries: 10}",
                        "    student: {encoder_stages: 6, decoder_stages: 3, queries: 300}")
                .replace("    epochs: {12: 1}\n", String.join("\n",
                        "    epochs: {12: 1}",
                        "    stages: {encoder: {6: 2}, decoder: {6: 3, 3: 1}}",
                        "    queries: {300: 10}",
                        "    schedule: {lr: 1.0e-30, weight_decay: 0.0, warmup_steps: 0, backbone_lr_factor: 1.0}",
                        "    backbone_weights: {student: " + weights + "}",
                        "    teachers: {cond: " + teacher + "}",
                        "    teacher_min_ap: " + minAp,
                        ""));
        Path f = root.resolve(id + ".yaml");
        Files.writeString(f, yaml);
        return f;
    }

    private RunFixtures.Outcome run(Path suite, String out, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("run", suite.toString(), "--scale", "smoke", "--out",
                root.resolve(out).toString(), "--data-root", root.toString(), "--threads", "1", "--log-every", "50"));
        args.addAll(List.of(more));
        return RunFixtures.cli(args.toArray(String[]::new));
    }

    @Test
    public void studentsStartFromTheFileAndRecordsCarryTheHashes() throws Exception {
        Path suite = suite("files", "0.0", teacherRun.toString(), backbone.toString());
        RunFixtures.Outcome r = run(suite, "out-files");
        assertEquals(r.code(), 0, r.out() + r.err());
        assertTrue(r.out().contains("3 finished, 0 skipped (finished before), 0 failed; 0 teachers trained"), r.out());
        String backboneSha = ShippedFiles.sha256(backbone);
        String teacherSha = ShippedFiles.sha256(DistillRun.latestWeights(teacherRun).resolve("student.safetensors"));
        Path cells = root.resolve("out-files/cells");
        ResultRecord none = ResultJson.read(cells.resolve("cond.none.seed0/result.json"));
        assertEquals(none.status(), Status.FINISHED);
        assertEquals(none.student().get("decoder_stages"), 1);
        assertEquals(none.student().get("queries"), 10);
        assertEquals(((Map<?, ?>) none.student().get("backbone_weights")).get("sha256"), backboneSha);
        ResultRecord ld = ResultJson.read(cells.resolve("cond.ld.seed0/result.json"));
        assertEquals(ld.status(), Status.FINISHED, String.valueOf(ld.failure()));
        assertEquals(((Map<?, ?>) ld.teacher().get("given")).get("sha256"), teacherSha);
        assertEquals(((Map<?, ?>) ld.student().get("backbone_weights")).get("sha256"), backboneSha);
        ResultRecord teacher = ResultJson.read(cells.resolve("cond.teacher.seed0/result.json"));
        assertEquals(((Map<?, ?>) teacher.teacher().get("given")).get("sha256"), teacherSha);
        assertEquals(teacher.history().size(), 0); // evaluated, not trained
        assertBackboneIsTheFile(cells.resolve("cond.none.seed0"));
        assertBackboneIsTheFile(cells.resolve("cond.ld.seed0"));
    }

    /** At lr 1e-30 the trained weights stay the initial ones: the backbone's must be the file's. */
    private void assertBackboneIsTheFile(Path cellDir) throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            Detector d = Models.create(new Cell.ModelSpec("conditional-detr", "mini-student", 2, 1, 10), CLASSES, m,
                    64);
            StudentWeights.load(d, DistillRun.latestWeights(cellDir));
            Map<String, float[]> file = new HashMap<>();
            try (InputStream in = Files.newInputStream(backbone)) {
                for (NDArray a : NDList.decode(m, in)) {
                    file.put(a.getName(), a.toFloatArray());
                }
            }
            int compared = 0;
            for (Map.Entry<String, Parameter> e : BackboneWeights.backboneOf(d).torchvisionParameters().entrySet()) {
                if (e.getKey().contains("running_") || e.getKey().contains("num_batches")) {
                    continue; // BatchNorm statistics move in training mode whatever the learning rate
                }
                float[] trained = e.getValue().getArray().toFloatArray();
                float[] start = file.get(e.getKey());
                assertEquals(trained.length, start.length, e.getKey());
                for (int i = 0; i < trained.length; i++) { // 1e-30 steps: equal up to ~1e-29
                    assertEquals(trained[i], start[i], 1e-20, e.getKey() + "[" + i + "]");
                }
                compared++;
            }
            assertTrue(compared > 10, "compared " + compared);
        }
    }

    @Test
    public void theGateRefusesATeacherBelowTheDeclaredAp() throws Exception {
        Path suite = suite("gate", "0.9", teacherRun.toString(), backbone.toString());
        RunFixtures.Outcome r = run(suite, "out-gate", "--only", "cond.ld");
        assertEquals(r.code(), 1, r.out() + r.err());
        ResultRecord ld = ResultJson.read(root.resolve("out-gate/cells/cond.ld.seed0/result.json"));
        assertEquals(ld.status(), Status.FAILED);
        assertTrue(ld.failure().message().matches("teacher AP 0\\.\\d{4} is below the 0\\.9000 the suite declares for "
                + "it \\(teacher_min_ap of the smoke scale\\): refusing to distill from .*runs/teacher .*"),
                ld.failure().message());
    }

    @Test
    public void missingFilesNameTheCommandsThatMakeThem() throws Exception {
        RunFixtures.Outcome r = run(suite("nobackbone", "0.0", teacherRun.toString(), "no/such.safetensors"), "o1");
        assertEquals(r.code(), 2, r.out() + r.err());
        assertTrue(r.err().contains("line 28, column 24: backbone weights file " + root.resolve("no/such.safetensors")
                + " does not exist; make it with: ./detrkd pretrain --size student --data data/smoke --out "
                + "no/such.safetensors --steps 3000"), r.err());
        r = run(suite("noteacher", "0.0", "runs/missing", backbone.toString()), "o2");
        assertEquals(r.code(), 2, r.out() + r.err());
        assertTrue(r.err().contains("line 29, column 16: teacher run folder " + root.resolve("runs/missing")
                + " does not exist (no spec.json); train it with: ./detrkd train --detector conditional-detr --size "
                + "teacher --data data/smoke --epochs 24 --threads 1 --eval-every 4 --out runs/missing"), r.err());
        assertTrue(!Files.exists(root.resolve("o1/cells")) && !Files.exists(root.resolve("o2/cells")),
                "nothing started");
    }

    @Test
    public void aTeacherRunThatIsNotTheSuitesTeacherIsRefused() throws Exception {
        Path suite = suite("mismatch", "0.0", teacherRun.toString(), backbone.toString());
        Files.writeString(suite, Files.readString(suite).replace("queries: {300: 10}", "queries: {300: 20}"));
        RunFixtures.Outcome r = run(suite, "o3");
        assertEquals(r.code(), 2, r.out() + r.err());
        assertTrue(r.err().contains("line 29, column 16: teacher run " + teacherRun + " is not the suite's teacher at "
                + "this scale: queries 10 in the run, 20 in the suite"), r.err());
    }
}
