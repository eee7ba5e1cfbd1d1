package org.detrkd.detr.cli;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.detrkd.datasets.djl.CocoDetectionDataset;
import org.detrkd.datasets.io.InputException;
import org.detrkd.detr.model.Detector;
import org.detrkd.detr.detrdistill.Instability;
import org.detrkd.detr.distill.StudentWeights;
import org.detrkd.detr.train.DetectorFactory;
import org.detrkd.detr.train.RunReport;
import org.detrkd.detr.train.RunSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code detrkd analyze instability --checkpoint DIR --data DIR [--split val] [--json]}: DETRDistill's instability
 * IS (Sec. 6, Fig. 7; {@link Instability}) of a model checkpoint (a teacher or student of {@code detrkd train}, or a
 * student of {@code detrkd distill}, e.g. after one epoch with assignment distillation), per pair of consecutive
 * decoder stages, summed over the split.
 */
@Command(name = "instability", mixinStandardHelpOptions = true,
        description = "DETRDistill's instability IS between consecutive decoder stages of a checkpoint.")
public final class AnalyzeInstabilityCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--checkpoint", required = true, paramLabel = "DIR",
            description = "a checkpoint folder, or a run folder of 'detrkd train' or 'detrkd distill'")
    Path checkpoint;

    @Option(names = "--data", required = true, paramLabel = "DIR", description = "COCO-format dataset folder")
    Path data;

    @Option(names = "--split", defaultValue = "val", description = "split to analyse (default: val)")
    String split;

    @Option(names = "--json", description = "print one JSON object instead of text")
    boolean json;

    @Option(names = "--batch-size", defaultValue = "16", paramLabel = "B")
    int batchSize;

    @Option(names = "--threads", paramLabel = "N", description = "intra-op threads (default: cores)")
    Integer threads;

    @Override
    public Integer call() throws IOException {
        TrainCommand.positive("--batch-size", batchSize);
        if (!Files.isDirectory(checkpoint)) {
            throw new InputException(checkpoint, "", "no such checkpoint folder");
        }
        if (!Files.isDirectory(data)) {
            throw new InputException(data, "", "no such dataset folder");
        }
        RunSpec run = RunSpec.read(RunSpec.locate(checkpoint));
        Path weights = EvaluateCommand.weights(checkpoint);
        int n = TrainCommand.configureThreads(threads);
        CocoDetectionDataset ds = CocoDetectionDataset.builder().setRoot(data).setSplit(split)
                .setSampling(batchSize, false).build();
        if (ds.categories().size() != run.numClasses()) {
            throw new InputException(data, split, "has " + ds.categories().size() + " categories but the "
                    + "checkpoint's model was trained for " + run.numClasses());
        }
        long[] is;
        try (NDManager manager = NDManager.newBaseManager()) {
            Detector model = DetectorFactory.create(run.detector(), run.size(), run.numClasses(), run.queries(),
                    manager, run.imageSize());
            StudentWeights.load(model, weights);
            is = Instability.evaluate(model, ds, batchSize);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            List<Map<String, Object>> pairs = new ArrayList<>();
            for (int k = 0; k < is.length; k++) {
                pairs.add(Map.of("stage", k + 1, "next_stage", k + 2, "is", is[k]));
            }
            doc.put("instability", pairs);
            doc.put("images", ds.size());
            doc.put("checkpoint", weights.toString());
            doc.put("data", data.toAbsolutePath().normalize().toString());
            doc.put("split", split);
            doc.put("spec", run);
            doc.put("provenance", RunReport.provenance(n));
            out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(doc));
        } else {
            out.println(String.format(Locale.ROOT, "instability IS over %d images of %s (%s)", ds.size(), split,
                    weights));
            for (int k = 0; k < is.length; k++) {
                out.println(String.format(Locale.ROOT, "  stage %d -> %d: %d", k + 1, k + 2, is[k]));
            }
        }
        out.flush();
        return 0;
    }
}
