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
 * {@code detrkd bench distill-step [--detector conditional-detr|deformable-detr|adamixer] [--preset
 * paper|released-code] [--batch-size B] [--image-size S] [--steps N]
 * [--warmup N] [--classes K] [--threads T] [--kd-option NAME=VALUE ...]}: the median training step of the plain mini
 * student and of the same student distilled with DETRDistill from the mini teacher of the same detector, on the same
 * random batches, as
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

    @Option(names = "--batch-size", defaultValue = "4", paramLabel = "B")
    int batchSize;

    @Option(names = "--image-size", defaultValue = "64", paramLabel = "S")
    int imageSize;

    @Option(names = "--steps", defaultValue = "10", paramLabel = "N")
    int steps;

    @Option(names = "--warmup", defaultValue = "3", paramLabel = "N")
    int warmup;

    @Option(names = "--classes", defaultValue = "8", paramLabel = "K")
    int classes;

    @Option(names = "--threads", paramLabel = "N", description = "intra-op threads (default: cores)")
    Integer threads;

    @Override
    public Integer call() throws Exception {
        TrainCommand.positive("--batch-size", batchSize);
        TrainCommand.positive("--image-size", imageSize);
        TrainCommand.positive("--steps", steps);
        TrainCommand.nonNegative("--warmup", warmup);
        TrainCommand.positive("--classes", classes);
        int n = TrainCommand.configureThreads(threads);
        DetectorFactory.checkDetector(detector);
        Map<String, Object> report = DistillStepBenchmark.run(new DistillStepBenchmark.Settings(detector, "teacher",
                "student", classes, batchSize, imageSize, steps, warmup, 1), (ctx, manager) -> {
                    try {
                        return DetrDistill.create(ctx, manager, preset, kdOptions);
                    } catch (IllegalArgumentException e) {
                        throw new org.detrkd.datasets.io.InputException((String) null, "--preset/--kd-option",
                                e.getMessage(), null);
                    }
                });
        report.put("threads", n);
        report.put("provenance", RunReport.provenance(n));
        report.put("machine_note", "timings on a shared machine are noisy: compare medians, repeat");
        PrintWriter out = spec.commandLine().getOut();
        out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(report));
        out.flush();
        return 0;
    }
}
