package org.detrkd.detr.cli;

import ai.djl.ndarray.NDManager;

import com.fasterxml.jackson.databind.ObjectMapper;

import org.detrkd.datasets.io.InputException;
import org.detrkd.detr.model.Detector;
import org.detrkd.detr.engine.CheckpointStore;
import org.detrkd.detr.train.DetectorEvaluator;
import org.detrkd.detr.train.DetectorFactory;
import org.detrkd.detr.train.RunReport;
import org.detrkd.detr.train.RunSpec;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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

    @Option(names = "--checkpoint", required = true, paramLabel = "DIR",
            description = "a checkpoint folder, or a run folder of 'detrkd train' (its latest checkpoint)")
    Path checkpoint;

    @Option(names = "--data", required = true, paramLabel = "DIR", description = "COCO-format dataset folder")
    Path data;

    @Option(names = "--split", defaultValue = "val", description = "split to evaluate (default: val)")
    String split;

    @Option(names = "--json", description = "print one JSON object instead of text")
    boolean json;

    @Option(names = "--batch-size", defaultValue = "16", paramLabel = "B")
    int batchSize;

    @Option(names = "--threads", paramLabel = "N", description = "intra-op threads (default: cores)")
    Integer threads;

    @Option(names = "--detections", paramLabel = "FILE", description = "also write the COCO results JSON here")
    Path detections;

    @Override
    public Integer call() throws IOException {
        TrainCommand.positive("--batch-size", batchSize);
        if (threads != null) {
            TrainCommand.positive("--threads", threads);
        }
        if (!Files.isDirectory(checkpoint)) {
            throw new InputException(checkpoint, "", "no such checkpoint folder");
        }
        if (!Files.isDirectory(data)) {
            throw new InputException(data, "", "no such dataset folder");
        }
        RunSpec run = RunSpec.read(RunSpec.locate(checkpoint));
        Path weights = weights(checkpoint);
        int n = TrainCommand.configureThreads(threads);
        DetectorEvaluator evaluator = DetectorEvaluator.forSplit(data, split, batchSize);
        int k = evaluator.dataset().categories().size();
        if (k != run.numClasses()) {
            throw new InputException(data, split, "has " + k + " categories but the checkpoint's model was trained "
                    + "for " + run.numClasses());
        }
        DetectorEvaluator.Outcome outcome;
        try (NDManager manager = NDManager.newBaseManager()) {
            Detector model = DetectorFactory.create(run.detector(), run.size(), run.numClasses(), run.queries(),
                    manager, run.imageSize());
            CheckpointStore.loadWeights(model, weights);
            outcome = evaluator.evaluate(model, detections);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> doc = RunReport.stats(outcome.result());
            doc.put("checkpoint", weights.toString());
            doc.put("data", data.toAbsolutePath().normalize().toString());
            doc.put("split", split);
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

    /** A checkpoint folder as given, else the latest checkpoint of a run folder or a checkpoints folder. */
    static Path weights(Path dir) throws IOException {
        if (Files.isRegularFile(dir.resolve("student.safetensors"))) {
            return dir;
        }
        Path ckpts = Files.isDirectory(dir.resolve(RunSpec.CHECKPOINTS)) ? dir.resolve(RunSpec.CHECKPOINTS) : dir;
        List<Path> all = new CheckpointStore(ckpts, 0).list();
        if (all.isEmpty()) {
            throw new InputException(dir, "", "holds no checkpoint (no step-NNNNNNNNNNNN folder with weights)");
        }
        return all.get(all.size() - 1);
    }
}
