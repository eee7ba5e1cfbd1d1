package org.detrkd.quickstart;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.detrkd.datasets.eval.EvalResult;
import org.detrkd.datasets.generate.DatasetMaker;
import org.detrkd.datasets.generate.Generators;
import org.detrkd.datasets.generate.ShapesSpec;
import org.detrkd.detr.distill.StudentWeights;
import org.detrkd.detr.model.Detector;
import org.detrkd.detr.train.DetectorEvaluator;
import org.detrkd.detr.train.DetectorFactory;
import org.detrkd.detr.train.RunSpec;
import org.testng.SkipException;
import org.testng.annotations.Test;

/**
 * The teacher the quickstart ships: its files match {@code SHA256SUMS}, and its val AP on the default mini benchmark
 * is at least {@link #MIN_AP}. The validation split is generated alone (train size 1): every generated image depends
 * only on (seed, split, index), so it is the default benchmark's val split image for image.
 */
public class ShippedTeacherTest {
    /** A little below the shipped teacher's measured val AP on the default benchmark (0.4320, PROVENANCE.md). */
    static final double MIN_AP = 0.42;

    private static ShippedFiles shippedOrSkip() {
        ShippedFiles files = ShippedFiles.fromClasspath();
        if (!files.available()) {
            throw new SkipException("the quickstart teacher files are not on the classpath (" + ShippedFiles.RESOURCE_DIR
                    + String.join(", ", ShippedFiles.FILES) + ", " + ShippedFiles.SUMS + "): nothing to check");
        }
        return files;
    }

    @Test
    public void shippedFilesMatchTheirChecksums() throws Exception {
        ShippedFiles files = shippedOrSkip();
        Map<String, String> sums = files.checksums();
        for (String f : ShippedFiles.FILES) {
            assertEquals(files.sha256Of(f), sums.get(f), f);
        }
    }

    @Test
    public void shippedTeacherReachesItsApOnTheDefaultBenchmark() throws Exception {
        ShippedFiles files = shippedOrSkip();
        Path dir = Files.createTempDirectory("detrkd-shipped-teacher");
        ShippedFiles.Materialized m = files.materialize(dir);
        RunSpec spec = RunSpec.read(m.teacherDir().resolve(RunSpec.FILE));
        assertEquals(spec.detector(), "conditional-detr");
        assertEquals(spec.size(), "teacher");
        assertEquals(spec.numClasses(), 8);
        Path data = dir.resolve("shapes-val");
        ShapesSpec valOnly = ShapesSpec.DEFAULTS.withSizes(1, ShapesSpec.DEFAULT_VAL).validate();
        DatasetMaker.make(Generators.create("shapes", valOnly, null), data, 2);
        EvalResult r;
        try (NDManager manager = NDManager.newBaseManager()) {
            Detector model = DetectorFactory.create(spec, manager);
            StudentWeights.load(model, m.teacherDir());
            r = DetectorEvaluator.forSplit(data, "val", 16).evaluate(model, null).result();
        }
        assertTrue(r.stats()[0] >= MIN_AP, String.format(Locale.ROOT, "shipped teacher val AP %.4f < %.2f",
                r.stats()[0], MIN_AP));
    }
}
