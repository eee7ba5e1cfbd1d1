package org.detrkd.detr.cli;

import com.fasterxml.jackson.databind.ObjectMapper;

import org.detrkd.datasets.io.InputException;
import org.detrkd.detr.train.DetectorFactory;
import org.detrkd.detr.train.RunReport;
import org.detrkd.detr.train.SamplingBenchmark;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code detrkd bench sampling [--detector deformable-detr|adamixer] [--size teacher|student|paper] [--batch-size B]
 * [--image-size PX] [--steps N] [--threads T]}: the bilinear sampling core's share of a layer ({@link
 * SamplingBenchmark}): Deformable DETR's encoder and decoder layers, an AdaMixer stage; JSON.
 */
@Command(name = "sampling", mixinStandardHelpOptions = true,
        description = "Time the sampling core against the rest of a deformable / AdaMixer layer (JSON).")
public final class BenchSamplingCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--detector", defaultValue = "deformable-detr", description = "deformable-detr (default) or adamixer")
    String detector;

    @Option(names = "--size", defaultValue = "student", description = "teacher, student (mini presets) or paper")
    String size;

    @Option(names = "--batch-size", paramLabel = "B", description = "default 16 (mini), 2 (paper)")
    Integer batchSize;

    @Option(names = "--image-size", paramLabel = "PX", description = "default 128 (mini), 800 (paper)")
    Integer imageSize;

    @Option(names = "--steps", defaultValue = "10", paramLabel = "N", description = "timed repeats")
    int steps;

    @Option(names = "--warmup", defaultValue = "2", paramLabel = "N", description = "untimed repeats first")
    int warmup;

    @Option(names = "--threads", paramLabel = "T", description = "intra-op threads (default: cores)")
    Integer threads;

    @Override
    public Integer call() throws Exception {
        if (!detector.equals("deformable-detr") && !detector.equals("adamixer")) {
            throw new InputException((String) null, "--detector", "the sampling benchmark covers deformable-detr and "
                    + "adamixer, not '" + detector + "'", null);
        }
        DetectorFactory.checkSize(size);
        boolean paper = DetectorFactory.isPaperSize(size);
        int b = batchSize == null ? (paper ? 2 : 16) : batchSize;
        int px = imageSize == null ? (paper ? 800 : 128) : imageSize;
        TrainCommand.positive("--batch-size", b);
        TrainCommand.positive("--image-size", px);
        TrainCommand.positive("--steps", steps);
        TrainCommand.nonNegative("--warmup", warmup);
        int t = TrainCommand.configureThreads(threads);
        Map<String, Object> report = SamplingBenchmark.run(new SamplingBenchmark.Settings(detector, size, b, px, steps,
                warmup));
        report.put("threads", t);
        report.put("provenance", RunReport.provenance(t));
        PrintWriter out = spec.commandLine().getOut();
        out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(report));
        out.flush();
        return 0;
    }
}
