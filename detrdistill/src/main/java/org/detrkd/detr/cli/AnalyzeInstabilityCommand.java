package org.detrkd.detr.cli;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.detrkd.datasets.djl.CocoDetectionDataset;
import org.detrkd.detr.detrdistill.Instability;
import org.detrkd.detr.train.RunReport;
import org.detrkd.detr.train.RunSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
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

    @Mixin
    CheckpointOptions options;

    @Override
    public Integer call() throws IOException {
        int n = options.prepare();
        RunSpec run = options.run();
        Path weights = options.weights();
        String split = options.split;
        CocoDetectionDataset ds = CocoDetectionDataset.builder().setRoot(options.data).setSplit(split)
                .setSampling(options.batchSize, false).build();
        options.checkClasses(ds.categories().size());
        long[] is;
        try (NDManager manager = NDManager.newBaseManager()) {
            is = Instability.evaluate(options.loadModel(manager), ds, options.batchSize);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (options.json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            List<Map<String, Object>> pairs = new ArrayList<>();
            for (int k = 0; k < is.length; k++) {
                pairs.add(Map.of("stage", k + 1, "next_stage", k + 2, "is", is[k]));
            }
            doc.put("instability", pairs);
            doc.put("images", ds.size());
            doc.put("checkpoint", weights.toString());
            doc.put("data", options.data.toAbsolutePath().normalize().toString());
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
