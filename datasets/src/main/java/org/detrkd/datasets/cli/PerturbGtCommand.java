package org.detrkd.datasets.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.detrkd.datasets.coco.CocoDataset;
import org.detrkd.datasets.coco.CocoDetections;
import org.detrkd.datasets.coco.CocoJsonReader;
import org.detrkd.datasets.coco.CocoResultsWriter;
import org.detrkd.datasets.eval.PerturbedDetections;
import org.detrkd.datasets.io.InputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code detrkd tools perturb-gt}: writes a COCO results file made by perturbing a ground-truth file
 * ({@link PerturbedDetections}), for checking the evaluation pipeline and other evaluators. Not a detector.
 */
@Command(name = "perturb-gt", mixinStandardHelpOptions = true,
        description = "Write detections made by perturbing ground truth (a pipeline check, not a detector).")
public final class PerturbGtCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--gt", required = true, paramLabel = "GT.json", description = "COCO instances file")
    Path gt;

    @Option(names = "--out", required = true, paramLabel = "DT.json", description = "results file to write")
    Path out;

    @Option(names = "--seed", defaultValue = "0", description = "random seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--recall", defaultValue = "0.85", description = "share of boxes found (default: ${DEFAULT-VALUE})")
    double recall;

    @Option(names = "--noise", defaultValue = "0.08",
            description = "relative jitter of centre and size (default: ${DEFAULT-VALUE})")
    double noise;

    @Option(names = "--confusion", defaultValue = "0.05",
            description = "share of found boxes with a wrong class (default: ${DEFAULT-VALUE})")
    double confusion;

    @Option(names = "--false-positives", defaultValue = "3",
            description = "random false positives per image (default: ${DEFAULT-VALUE})")
    int falsePositives;

    @Override
    public Integer call() throws IOException {
        PerturbedDetections perturb;
        try {
            perturb = new PerturbedDetections(recall, noise, confusion, falsePositives);
        } catch (IllegalArgumentException e) {
            throw new InputException((String) null, "", e.getMessage(), e);
        }
        CocoDataset ground = CocoJsonReader.read(gt);
        CocoDetections dets = perturb.apply(ground, seed);
        CocoResultsWriter.write(dets, out);
        spec.commandLine().getOut().printf(Locale.ROOT, "wrote %d detections for %d images to %s%n",
                dets.size(), ground.images().size(), out);
        return 0;
    }
}
