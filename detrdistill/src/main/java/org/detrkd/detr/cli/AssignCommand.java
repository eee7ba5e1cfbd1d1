package org.detrkd.detr.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.detrkd.datasets.io.InputException;
import org.detrkd.detr.matching.Assignment;
import org.detrkd.detr.matching.CostMatrixCsv;
import org.detrkd.detr.matching.ShortestAugmentingPathSolver;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tools assign}: solves the linear assignment problem (minimum total cost, the Hungarian step of DETR
 * matching, same contract as scipy's {@code linear_sum_assignment}) for a cost matrix given as CSV, and prints
 * {@code {"rows":[...],"cols":[...],"total":x}} on one line: rows increasing, {@code cols[k]} assigned to
 * {@code rows[k]}, {@code min(R, C)} pairs. The CSV format is described in {@link CostMatrixCsv}.
 */
@Command(
        name = "assign",
        description = "Solve a minimum-cost linear assignment for a CSV cost matrix; prints JSON rows, cols, total.")
public final class AssignCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Option(names = "--cost", required = true, paramLabel = "FILE.csv",
            description = "Cost matrix: one row per line, comma-separated numbers.")
    Path cost;

    @Override
    public Integer call() throws Exception {
        CostMatrixCsv matrix = CostMatrixCsv.read(cost);
        checkRange(matrix);
        Assignment a = new ShortestAugmentingPathSolver().solve(matrix.values(), matrix.rows(), matrix.cols());
        spec.commandLine().getOut().println(toJson(a));
        spec.commandLine().getOut().flush();
        return 0;
    }

    private void checkRange(CostMatrixCsv matrix) {
        double[] v = matrix.values();
        for (int k = 0; k < v.length; k++) {
            if (Math.abs(v[k]) > ShortestAugmentingPathSolver.MAX_ABS_COST) {
                throw new InputException(cost, CostMatrixCsv.location(k / matrix.cols(), k % matrix.cols()),
                        "cost " + v[k] + " is too large; costs must lie within +-"
                                + ShortestAugmentingPathSolver.MAX_ABS_COST);
            }
        }
    }

    /** The assignment as {@code {"rows":[...],"cols":[...],"total":x}}. */
    static String toJson(Assignment a) throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode out = mapper.createObjectNode();
        ArrayNode rows = out.putArray("rows");
        for (int r : a.rows()) {
            rows.add(r);
        }
        ArrayNode cols = out.putArray("cols");
        for (int c : a.cols()) {
            cols.add(c);
        }
        out.put("total", a.total());
        return mapper.writeValueAsString(out);
    }
}
