package org.detrkd.datasets.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.detrkd.datasets.io.Provenance;
import org.detrkd.datasets.eval.EvalBenchmark;
import org.detrkd.datasets.io.InputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code detrkd bench eval}: times the COCO evaluator on a generated val2017-sized case ({@link EvalBenchmark}) and
 * prints one JSON object: case size, median load / evaluate / accumulate / total wall-clock milliseconds, the same
 * phases in process CPU milliseconds, threads, repeats, the case's AP and the Java version.
 */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Benchmark the COCO evaluator on a generated case (COCO val2017-sized by default).")
public final class BenchEvalCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--images", paramLabel = "N", defaultValue = "5000", description = "images (default: ${DEFAULT-VALUE})")
    int images;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "42", description = "generator seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--threads", paramLabel = "N", description = "evaluator threads (default: available processors)")
    Integer threads;

    @Option(names = "--repeat", paramLabel = "R", defaultValue = "5",
            description = "timed repeats after one warm-up; medians are reported (default: ${DEFAULT-VALUE})")
    int repeat;

    @Override
    public Integer call() throws JsonProcessingException {
        int n = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        check(images >= 1, "--images", "must be at least 1, got " + images);
        check(n >= 1, "--threads", "must be at least 1, got " + n);
        check(repeat >= 1, "--repeat", "must be at least 1, got " + repeat);
        EvalBenchmark.Result r = EvalBenchmark.run(images, seed, n, repeat);
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("images", r.images());
        o.put("detections", r.detections());
        o.put("gt_boxes", r.gtBoxes());
        o.put("load_ms", round(r.loadMs()));
        o.put("evaluate_ms", round(r.evaluateMs()));
        o.put("accumulate_ms", round(r.accumulateMs()));
        o.put("total_ms", round(r.totalMs()));
        o.put("load_cpu_ms", round(r.loadCpuMs()));
        o.put("evaluate_cpu_ms", round(r.evaluateCpuMs()));
        o.put("accumulate_cpu_ms", round(r.accumulateCpuMs()));
        o.put("threads", r.threads());
        o.put("repeats", r.repeats());
        o.put("seed", seed);
        o.put("ap", r.ap());
        o.put("available_processors", Runtime.getRuntime().availableProcessors());
        o.put("java_version", r.javaVersion());
        o.put("provenance", Provenance.basic());
        PrintWriter out = spec.commandLine().getOut();
        out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(o));
        out.flush();
        return 0;
    }

    private static void check(boolean ok, String option, String problem) {
        if (!ok) {
            throw new InputException((String) null, option, problem, null);
        }
    }

    private static double round(double ms) {
        return Math.rint(ms * 10) / 10;
    }
}
