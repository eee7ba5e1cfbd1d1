package org.detrkd.datasets.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.detrkd.datasets.coco.CocoDataset;
import org.detrkd.datasets.coco.CocoDetections;
import org.detrkd.datasets.coco.CocoJsonReader;
import org.detrkd.datasets.coco.CocoResultsReader;
import org.detrkd.datasets.eval.CocoEvaluator;
import org.detrkd.datasets.eval.EvalResult;
import org.detrkd.datasets.io.InputException;
import org.detrkd.datasets.io.Provenance;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code detrkd eval --gt GT.json --dt DT.json}: COCO bbox evaluation of a results file against a COCO instances
 * file, with pycocotools' numbers ({@link CocoEvaluator}). Prints pycocotools' 12-line summary (plus a per-category
 * table with {@code --per-category}), or with {@code --json} one JSON object with {@code stats} (12 numbers in
 * pycocotools' order), {@code stats_names}, {@code per_category} and the counts.
 */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "COCO bbox evaluation (pycocotools' AP/AR) of a detections file against ground truth.")
public final class EvalCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--gt", required = true, paramLabel = "GT.json", description = "COCO instances file (ground truth)")
    Path gt;

    @Option(names = "--dt", required = true, paramLabel = "DT.json",
            description = "COCO results file: a JSON list of {image_id, category_id, bbox, score}")
    Path dt;

    @Option(names = "--per-category", description = "also print AP/AR per category")
    boolean perCategory;

    @Option(names = "--json", description = "print one JSON object instead of text")
    boolean json;

    @Option(names = "--threads", paramLabel = "N", description = "worker threads (default: available processors)")
    Integer threads;

    @Override
    public Integer call() throws JsonProcessingException {
        int n = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        if (n < 1) {
            throw new InputException((String) null, "--threads", "must be at least 1, got " + n, null);
        }
        CocoDataset ground = CocoJsonReader.read(gt);
        CocoDetections dets = CocoResultsReader.read(dt);
        EvalResult result = new CocoEvaluator(n).run(ground, gt.toString(), dets, dt.toString());
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            java.util.Map<String, Object> doc = result.toJson();
            doc.put("gt", gt.toString());
            doc.put("dt", dt.toString());
            doc.put("provenance", Provenance.basic());
            out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(doc));
        } else {
            out.print(result.summaryText());
            if (perCategory) {
                out.println();
                out.print(result.perCategoryTable());
            }
        }
        out.flush();
        return 0;
    }
}
