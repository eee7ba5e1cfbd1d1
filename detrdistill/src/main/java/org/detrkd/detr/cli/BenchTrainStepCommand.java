package org.detrkd.detr.cli;

import com.fasterxml.jackson.databind.ObjectMapper;

import org.detrkd.detr.train.DetectorFactory;
import org.detrkd.detr.train.RunReport;
import org.detrkd.detr.train.StepBenchmark;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code detrkd bench train-step [--detector conditional-detr|deformable-detr|adamixer] [--size teacher|student|paper]
 * [--batch-size B]
 * [--image-size PX] [--queries Q] [--steps N] [--threads T]}: times full training steps on random data
 * ({@link StepBenchmark}) and prints JSON (images/s, median step, phase breakdown, matching time, parameters, FLOP
 * rate against the machine's ceiling for Conditional DETR, threads and provenance). Defaults: mini sizes at 128 px,
 * batch 16; {@code paper} (ResNet-50, the paper's widths, layers and queries, 91 classes) at 800 px, batch 2.
 */
@Command(name = "train-step", mixinStandardHelpOptions = true,
        description = "Time full training steps of a detector on random data; prints JSON.")
public final class BenchTrainStepCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--detector", defaultValue = "conditional-detr",
            description = "conditional-detr (default), deformable-detr or adamixer")
    String detector;

    @Option(names = "--size", defaultValue = "student", description = "teacher, student or paper")
    String size;

    @Option(names = "--batch-size", paramLabel = "B", description = "default 16 (mini), 2 (paper)")
    Integer batchSize;

    @Option(names = "--image-size", paramLabel = "PX", description = "default 128 (mini), 800 (paper)")
    Integer imageSize;

    @Option(names = "--queries", defaultValue = "0", paramLabel = "Q", description = "0: the preset's")
    int queries;

    @Option(names = "--classes", paramLabel = "K", description = "default 8 (mini), 91 (paper)")
    Integer classes;

    @Option(names = "--steps", paramLabel = "N", description = "timed steps (default 10 mini, 3 paper)")
    Integer steps;

    @Option(names = "--warmup", paramLabel = "N", description = "untimed steps first (default 2 mini, 1 paper)")
    Integer warmup;

    @Option(names = "--threads", paramLabel = "T", description = "intra-op threads (default: cores)")
    Integer threads;

    @Option(names = "--seed", defaultValue = "0")
    long seed;

    @Override
    public Integer call() throws Exception {
        DetectorFactory.checkDetector(detector);
        DetectorFactory.checkSize(size);
        boolean paper = DetectorFactory.isPaperSize(size);
        int b = orDefault(batchSize, paper ? 2 : 16, "--batch-size");
        int px = orDefault(imageSize, paper ? 800 : 128, "--image-size");
        int k = orDefault(classes, paper ? 91 : 8, "--classes");
        int n = orDefault(steps, paper ? 3 : 10, "--steps");
        int w = warmup == null ? (paper ? 1 : 2) : warmup;
        TrainCommand.nonNegative("--warmup", w);
        TrainCommand.nonNegative("--queries", queries);
        if (px < 32) {
            TrainCommand.positive("--image-size", 0);
        }
        if (threads != null) {
            TrainCommand.positive("--threads", threads);
        }
        int t = TrainCommand.configureThreads(threads);
        Map<String, Object> report = StepBenchmark.run(new StepBenchmark.Settings(detector, size, k, queries, b, px, n,
                w, seed));
        report.put("threads", t);
        report.put("provenance", RunReport.provenance(t));
        PrintWriter out = spec.commandLine().getOut();
        out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(report));
        out.flush();
        return 0;
    }

    private static int orDefault(Integer value, int fallback, String option) {
        int v = value == null ? fallback : value;
        TrainCommand.positive(option, v);
        return v;
    }
}
