package org.detrkd.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.detrkd.datasets.coco.CocoDataset;
import org.detrkd.datasets.coco.CocoDetections;
import org.detrkd.datasets.coco.CocoFolder;
import org.detrkd.datasets.coco.CocoJsonReader;
import org.detrkd.datasets.coco.CocoResultsWriter;
import org.detrkd.datasets.eval.CocoEvaluator;
import org.detrkd.datasets.eval.EvalResult;
import org.detrkd.datasets.eval.PerturbedDetections;
import org.detrkd.datasets.generate.DatasetMaker;
import org.detrkd.datasets.generate.Generators;
import org.detrkd.datasets.generate.ShapesSpec;
import org.detrkd.datasets.io.InputException;
import org.detrkd.datasets.io.Provenance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code detrkd quickstart}: the main job on its built-in default.
 *
 * <p>At this stage of the project it checks the data-to-evaluation pipeline end to end: it generates the default mini
 * benchmark ({@code shapes}, as {@code detrkd data make shapes} would), writes a detections file made by perturbing the
 * validation ground truth ({@link PerturbedDetections}: not a detector, and said so in the output), evaluates it with
 * the COCO evaluator, and writes the numbers with their provenance to {@code OUT/quickstart.json}. Re-running reuses
 * the generated dataset.
 */
@Command(name = "quickstart", mixinStandardHelpOptions = true,
        description = "Generate the default mini benchmark and evaluate a detections file against it.")
final class QuickstartCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(QuickstartCommand.class);

    @Spec
    CommandSpec spec;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "runs/quickstart",
            description = "output folder (default: ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--threads", paramLabel = "N", description = "worker threads (default: all processors)")
    Integer threads;

    @Option(names = "--train", paramLabel = "N", defaultValue = "" + ShapesSpec.DEFAULT_TRAIN,
            description = "training images to generate (default: ${DEFAULT-VALUE})")
    int train;

    @Option(names = "--val", paramLabel = "N", defaultValue = "" + ShapesSpec.DEFAULT_VAL,
            description = "validation images to generate (default: ${DEFAULT-VALUE})")
    int val;

    @Override
    public Integer call() throws Exception {
        int workers = threads != null ? Math.max(1, threads) : Runtime.getRuntime().availableProcessors();
        if (val < 1) {
            throw new InputException((String) null, "--val", "the quickstart evaluates on the validation split: need "
                    + "at least 1 image, got " + val, null);
        }
        long start = System.nanoTime();
        Path data = out.resolve("data").resolve("shapes");
        LOG.info("step 1/3: default mini benchmark 'shapes' in {}", data);
        ShapesSpec settings = ShapesSpec.DEFAULTS.withSizes(train, val).withSeed(seed).validate();
        DatasetMaker.Result made = DatasetMaker.make(Generators.create("shapes", settings, null), data, workers);

        LOG.info("step 2/3: detections from perturbed validation ground truth (a pipeline check, not a detector)");
        CocoFolder.Split val = CocoFolder.open(data).split("val");
        CocoDataset gt = CocoJsonReader.read(val.annotations());
        PerturbedDetections perturb = PerturbedDetections.DEFAULT;
        CocoDetections dets = perturb.apply(gt, seed);
        Path dt = out.resolve("detections").resolve("perturbed-gt-val.json");
        CocoResultsWriter.write(dets, dt);

        LOG.info("step 3/3: COCO evaluation of {} detections on {} images", dets.size(), gt.images().size());
        EvalResult result = new CocoEvaluator(workers).run(gt, val.annotations().toString(), dets, dt.toString());
        double seconds = (System.nanoTime() - start) / 1e9;
        Path summary = writeSummary(data, dt, perturb, result, seconds, made.alreadyPresent());

        PrintWriter w = spec.commandLine().getOut();
        w.println("detrkd quickstart: data -> detections -> COCO evaluation");
        w.println("  dataset:    " + data + (made.alreadyPresent() ? " (reused)" : " (generated)"));
        w.println("  detections: " + dt);
        w.println("  NOTE: the detections are perturbed ground truth (recall " + perturb.recall() + ", jitter "
                + perturb.noise() + "), a check of the pipeline, not a trained detector.");
        w.print(result.summaryText());
        w.println(String.format(Locale.ROOT, "  results: %s (%.1f s, %s)", summary, seconds, Provenance.oneLine()));
        w.flush();
        return 0;
    }

    private Path writeSummary(Path data, Path dt, PerturbedDetections perturb, EvalResult result, double seconds,
                              boolean reused) throws java.io.IOException {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("job", "quickstart (pipeline check)");
        doc.put("dataset", data.toString());
        doc.put("dataset_reused", reused);
        doc.put("detections", dt.toString());
        doc.put("detections_source", "perturbed ground truth: " + perturb);
        doc.put("seed", seed);
        doc.put("eval", result.toJson());
        doc.put("seconds", seconds);
        doc.put("provenance", Provenance.basic());
        Path file = out.resolve("quickstart.json");
        Path tmp = out.resolve(".quickstart.json.tmp");
        Files.createDirectories(out);
        new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), doc);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return file;
    }
}
