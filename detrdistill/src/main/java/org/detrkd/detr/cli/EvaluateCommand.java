package org.detrkd.detr.cli;

import ai.djl.ndarray.NDManager;

import com.fasterxml.jackson.databind.ObjectMapper;

import org.detrkd.detr.train.DetectorEvaluator;
import org.detrkd.detr.train.RunReport;
import org.detrkd.detr.train.RunSpec;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code detrkd evaluate --checkpoint DIR --data DIR [--split val] [--json]}: rebuilds the detector from the run's
 * {@code spec.json} (found in {@code DIR}, its parent or grandparent), loads the weights of {@code DIR} (a checkpoint
 * folder, or the latest checkpoint of a run or checkpoints folder) and prints pycocotools' summary of the split
 * (or with {@code --json} the statistics, the checkpoint, the spec and provenance).
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "COCO evaluation of a trained checkpoint on a dataset split.")
public final class EvaluateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    CheckpointOptions options;

    @Option(names = "--detections", paramLabel = "FILE", description = "also write the COCO results JSON here")
    Path detections;

    @Override
    public Integer call() throws IOException {
        int n = options.prepare();
        RunSpec run = options.run();
        DetectorEvaluator evaluator = DetectorEvaluator.forSplit(options.data, options.split, options.batchSize);
        options.checkClasses(evaluator.dataset().categories().size());
        DetectorEvaluator.Outcome outcome;
        try (NDManager manager = NDManager.newBaseManager()) {
            outcome = evaluator.evaluate(options.loadModel(manager), detections);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (options.json) {
            Map<String, Object> doc = RunReport.stats(outcome.result());
            doc.put("checkpoint", options.weights().toString());
            doc.put("data", options.data.toAbsolutePath().normalize().toString());
            doc.put("split", options.split);
            doc.put("seconds", outcome.seconds());
            doc.put("spec", run);
            doc.put("provenance", RunReport.provenance(n));
            out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(doc));
        } else {
            out.print(outcome.result().summaryText());
        }
        out.flush();
        return 0;
    }
}
