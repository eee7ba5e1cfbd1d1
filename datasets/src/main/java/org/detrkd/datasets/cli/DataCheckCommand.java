package org.detrkd.datasets.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.detrkd.datasets.coco.CocoDataset;
import org.detrkd.datasets.coco.CocoFolder;
import org.detrkd.datasets.coco.CocoImageFiles;
import org.detrkd.datasets.coco.CocoJsonReader;
import org.detrkd.datasets.coco.CocoValidator;
import org.detrkd.datasets.coco.CocoValidator.Problem;
import org.detrkd.datasets.coco.DatasetStats;
import org.detrkd.datasets.io.InputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code detrkd data check DIR}: validates every split of a COCO-format dataset folder (see {@link CocoFolder}) and
 * prints its statistics.
 *
 * <p>For each split it reads the annotation file ({@link CocoJsonReader}), runs the semantic checks
 * ({@link CocoValidator}), checks that every image file exists and, for an evenly spaced sample, that its pixel size
 * is the declared one ({@link CocoImageFiles}), and prints the {@link DatasetStats} (text, or JSON with
 * {@code --json}) to standard output. Problems go to the error stream, one line each, at most
 * {@value #MAX_LINES} of them. Exit code 0 when no error was found (warnings are printed but allowed unless
 * {@code --strict}), 2 otherwise, the code the command line uses for bad input.
 */
@Command(name = "check",
        description = "Validate a COCO-format dataset folder (every split) and print its statistics.")
public final class DataCheckCommand implements Callable<Integer> {
    /** Exit code when the dataset has problems (the command line's bad-input code). */
    public static final int EXIT_INVALID = 2;
    /** At most this many problem lines are printed. */
    public static final int MAX_LINES = 20;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DIR",
            description = "Dataset folder: DIR/annotations/instances_SPLIT.json with images in DIR/SPLIT/.")
    Path dir;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Option(names = "--json", description = "Print the statistics and the problems as JSON.")
    boolean json;

    @Option(names = "--no-images", description = "Do not look at the image files.")
    boolean noImages;

    @Option(names = "--size-sample", paramLabel = "N", defaultValue = "200",
            description = "Read the pixel size of N evenly spaced images per split and compare it with the declared"
                    + " width and height; -1 for all images, 0 for none (default: ${DEFAULT-VALUE}).")
    int sizeSample;

    @Option(names = "--strict", description = "Treat warnings (empty boxes, boxes outside the image) as errors.")
    boolean strict;

    @Override
    public Integer call() {
        CocoFolder folder = CocoFolder.open(dir);
        List<CocoFolder.Split> splits = folder.splits();
        if (splits.isEmpty()) {
            throw new InputException(dir, "", "no split found: expected annotations/instances_train.json or"
                    + " annotations/instances_val.json (or instances_train2017.json, instances_val2017.json)");
        }
        List<DatasetStats> stats = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        for (CocoFolder.Split split : splits) {
            DatasetStats s = checkSplit(split, problems);
            if (s != null) {
                stats.add(s);
            }
        }
        long failing = problems.stream().filter(p -> strict || p.isError()).count();
        PrintWriter out = spec.commandLine().getOut();
        out.print(json ? toJson(stats, problems, failing) : toText(stats, problems, failing));
        out.flush();
        printProblems(problems, failing);
        return failing > 0 ? EXIT_INVALID : 0;
    }

    /** Checks one split, adding its problems; returns its statistics, or null when the file could not be read. */
    private DatasetStats checkSplit(CocoFolder.Split split, List<Problem> problems) {
        String file = split.annotations().toString();
        CocoDataset dataset;
        try {
            dataset = CocoJsonReader.read(split.annotations());
        } catch (InputException e) {
            problems.add(Problem.of(e));
            return null;
        }
        problems.addAll(CocoValidator.validate(dataset, file));
        if (!noImages) {
            problems.addAll(CocoImageFiles.check(dataset, file, split.images(), sizeSample));
        }
        return DatasetStats.of(split.name(), dataset);
    }

    private String toText(List<DatasetStats> stats, List<Problem> problems, long failing) {
        StringBuilder sb = new StringBuilder();
        sb.append("dataset ").append(dir).append('\n');
        for (DatasetStats s : stats) {
            sb.append(s.toText());
        }
        long errors = problems.stream().filter(Problem::isError).count();
        long warnings = problems.size() - errors;
        sb.append(failing > 0 ? "INVALID" : "valid").append(": ")
                .append(errors).append(errors == 1 ? " error, " : " errors, ")
                .append(warnings).append(warnings == 1 ? " warning" : " warnings").append('\n');
        return sb.toString();
    }

    private String toJson(List<DatasetStats> stats, List<Problem> problems, long failing) {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = mapper.createObjectNode();
        root.put("folder", dir.toString());
        root.put("valid", failing == 0);
        long errors = problems.stream().filter(Problem::isError).count();
        root.put("errors", errors);
        root.put("warnings", problems.size() - errors);
        ArrayNode splits = root.putArray("splits");
        stats.forEach(s -> splits.add(mapper.valueToTree(s)));
        ArrayNode lines = root.putArray("problems");
        problems.stream().limit(1000).forEach(p -> lines.add(p.toString()));
        return root.toPrettyString() + "\n";
    }

    private void printProblems(List<Problem> problems, long failing) {
        if (problems.isEmpty()) {
            return;
        }
        PrintWriter err = spec.commandLine().getErr();
        // errors first, so that a flood of warnings never hides them
        List<Problem> ordered = new ArrayList<>(problems);
        ordered.sort((a, b) -> Boolean.compare(!a.isError(), !b.isError()));
        for (int i = 0; i < Math.min(MAX_LINES, ordered.size()); i++) {
            err.println(ordered.get(i));
        }
        if (ordered.size() > MAX_LINES) {
            err.println("... and " + (ordered.size() - MAX_LINES) + " more");
        }
        if (failing > 0) {
            err.println(dir + ": " + problems.size() + (problems.size() == 1 ? " problem" : " problems")
                    + " found; the dataset is not valid");
        }
        err.flush();
    }
}
