package org.detrkd.detr.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.detrkd.detr.detrdistill.DetrDistill;
import org.detrkd.detr.distill.DistillStepBenchmark;
import org.detrkd.detr.train.DetectorFactory;
import org.detrkd.detr.train.RunReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code detrkd bench distill-step [--detector conditional-detr|deformable-detr|adamixer] [--size mini|paper] [--preset
 * paper|released-code] [--batch-size B] [--image-size S] [--steps N]
 * [--warmup N] [--classes K] [--threads T] [--kd-option NAME=VALUE ...]}: the median training step of the plain mini
 * student and of the same student distilled with DETRDistill from the mini teacher of the same detector (with
 * {@code --size paper}: the paper's ResNet-50 student and ResNet-101 teacher at 800 px, batch 2), on the same random
 * batches, as
 * JSON (the requirement: the distillation step at most 2x the plain step).
 */
@Command(name = "distill-step", mixinStandardHelpOptions = true,
        description = "Time a DETRDistill training step against the plain student's step (JSON).")
public final class BenchDistillStepCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--detector", defaultValue = "conditional-detr",
            description = "conditional-detr (default), deformable-detr or adamixer")
    String detector;

    @Option(names = "--preset", description = "DETRDistill preset (default: paper)")
    String preset;

    @Option(names = "--kd-option", paramLabel = "NAME=VALUE", description = "a DETRDistill option (repeatable)")
    Map<String, String> kdOptions = new LinkedHashMap<>();

    @Option(names = "--size", defaultValue = "mini", description = "mini (the mini teacher and student, default) or "
            + "paper (ResNet-101 teacher, ResNet-50 student, the paper's settings)")
    String size;

    @Option(names = "--batch-size", paramLabel = "B", description = "default 16 (mini), 2 (paper)")
    Integer batchSize;

    @Option(names = "--image-size", paramLabel = "S", description = "default 128 (mini), 800 (paper)")
    Integer imageSize;

    @Option(names = "--steps", paramLabel = "N", description = "timed steps of each kind (default 10 mini, 2 paper)")
    Integer steps;

    @Option(names = "--warmup", paramLabel = "N", description = "untimed steps first (default 3 mini, 1 paper)")
    Integer warmup;

    @Option(names = "--classes", paramLabel = "K", description = "default 8 (mini), 91 (paper)")
    Integer classes;

    @Option(names = "--threads", paramLabel = "N", description = "intra-op threads (default: cores)")
    Integer threads;

    @Override
    public Integer call() throws Exception {
        if (!size.equals("mini") && !size.equals("paper")) {
            throw new org.detrkd.datasets.io.InputException((String) null, "--size", "unknown size '" + size
                    + "'; known: mini, paper", null);
        }
        boolean paper = size.equals("paper");
        int b = value("--batch-size", batchSize, paper ? 2 : 16);
        int px = value("--image-size", imageSize, paper ? 800 : 128);
        int n = value("--steps", steps, paper ? 2 : 10);
        int w = warmup == null ? (paper ? 1 : 3) : warmup;
        TrainCommand.nonNegative("--warmup", w);
        int k = value("--classes", classes, paper ? 91 : 8);
        int t = TrainCommand.configureThreads(threads);
        DetectorFactory.checkDetector(detector);
        Map<String, Object> report = DistillStepBenchmark.run(new DistillStepBenchmark.Settings(detector,
                paper ? "paper-teacher" : "teacher", paper ? "paper" : "student", k, b, px, n, w, 1), (ctx, manager) -> {
                    try {
                        return DetrDistill.create(ctx, manager, preset, kdOptions);
                    } catch (IllegalArgumentException e) {
                        throw new org.detrkd.datasets.io.InputException((String) null, "--preset/--kd-option",
                                e.getMessage(), null);
                    }
                });
        report.put("threads", t);
        report.put("provenance", RunReport.provenance(t));
        report.put("machine_note", "timings on a shared machine are noisy: compare medians, repeat");
        PrintWriter out = spec.commandLine().getOut();
        out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(report));
        out.flush();
        return 0;
    }

    private static int value(String option, Integer given, int fallback) {
        int v = given == null ? fallback : given;
        TrainCommand.positive(option, v);
        return v;
    }
}
