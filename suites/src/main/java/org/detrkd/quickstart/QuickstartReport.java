package org.detrkd.quickstart;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.detrkd.reports.model.CocoMetrics;
import org.detrkd.reports.model.Environment;
import org.detrkd.reports.model.EpochRecord;
import org.detrkd.reports.model.LoadedResult;
import org.detrkd.reports.model.PaperRef;
import org.detrkd.reports.model.ResultJson;
import org.detrkd.reports.model.ResultLoader;
import org.detrkd.reports.model.ResultRecord;
import org.detrkd.reports.model.Scale;
import org.detrkd.reports.model.Status;
import org.detrkd.reports.render.CsvFormat;
import org.detrkd.reports.render.HtmlSite;
import org.detrkd.reports.render.MarkdownFormat;
import org.detrkd.reports.render.ReportModel;
import org.detrkd.reports.render.ResultFormat;

/**
 * The quickstart's three result records ({@code OUT/results/<cell>/result.json}, the reports module's
 * {@link ResultRecord} schema, suite {@value #SUITE}) and its report ({@code OUT/report}: the HTML site, CSV and
 * Markdown, exactly as {@code detrkd report OUT/results --out OUT/report} renders them).
 *
 * <p>Each record sits beside a {@value #KEY_FILE} holding what decided its numbers (teacher checksum, data, schedule,
 * seed); a rerun reuses a record whose key is unchanged instead of training or evaluating again.
 */
public final class QuickstartReport {
    /** The suite id of the quickstart's records. */
    public static final String SUITE = "quickstart";
    /** What decided a record's numbers, beside its {@code result.json}. */
    public static final String KEY_FILE = "quickstart-key.txt";

    private QuickstartReport() {
    }

    /**
     * One cell of the quickstart table.
     *
     * @param cellId folder name and cell id ({@code teacher}, {@code student}, {@code detrdistill})
     * @param row the table row label
     * @param method the record's method ({@code teacher}, {@code student}, {@code detrdistill})
     * @param preset the method preset or null
     */
    public record Cell(String cellId, String row, String method, String preset) {}

    /** The teacher row. */
    public static final Cell TEACHER = new Cell("teacher", "Teacher (Conditional DETR mini)", "teacher", null);
    /** The plain student row. */
    public static final Cell STUDENT = new Cell("student", "Student (plain)", "student", null);
    /** The distilled student row. */
    public static final Cell DETRDISTILL = new Cell("detrdistill", "DETRDistill (LD+FD+AD)", "detrdistill", "paper");

    /**
     * @param results {@code OUT/results}
     * @param cell the cell
     * @param key what decides its numbers
     * @return the earlier record of the cell when its key is {@code key}, else null
     */
    public static ResultRecord reusable(Path results, Cell cell, String key) throws IOException {
        Path dir = results.resolve(cell.cellId());
        Path file = dir.resolve(ResultLoader.FILE_NAME);
        Path keyFile = dir.resolve(KEY_FILE);
        if (!Files.isRegularFile(file) || !Files.isRegularFile(keyFile)
                || !Files.readString(keyFile, StandardCharsets.UTF_8).equals(key)) {
            return null;
        }
        ResultRecord r = ResultJson.read(file);
        return r.finished() ? r : null;
    }

    /**
     * Builds a finished record.
     *
     * @param cell the cell
     * @param scale {@code mini} on the default benchmark, {@code smoke} otherwise
     * @param group the table group (detector, schedule)
     * @param options the method's resolved options
     * @param epochs the students' schedule
     * @param teacher the teacher (checkpoint, checksum, spec) or null for the teacher's own record
     * @param student the evaluated model's spec
     * @param seed the seed
     * @param history per-epoch mean loss terms (and AP where measured), empty for the teacher
     * @param stats the 12 COCO statistics
     * @param wallSeconds wall time of the cell
     * @param stepsPerSecond training steps per second (0 when it was not trained here)
     * @param peakBytes peak memory, 0 when unknown
     * @param env where it ran
     * @return the record
     */
    public static ResultRecord record(Cell cell, Scale scale, String group, Map<String, Object> options, int epochs,
            Map<String, Object> teacher, Map<String, Object> student, long seed, List<EpochRecord> history,
            double[] stats, double wallSeconds,
            double stepsPerSecond, long peakBytes, Environment env) {
        CocoMetrics m = new CocoMetrics(stats[0], stats[1], stats[2], stats[3], stats[4], stats[5], stats[6],
                stats[7], stats[8], stats[9], stats[10], stats[11]);
        return new ResultRecord(ResultRecord.SCHEMA_VERSION, SUITE, scale, cell.cellId(),
                new PaperRef(null, group, cell.row(), null), cell.method(), cell.preset(), options,
                "conditional-detr", epochs, teacher, student, seed, Status.FINISHED, null, m, history, null, null,
                wallSeconds, stepsPerSecond, peakBytes, env, Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
    }

    /**
     * Writes a record and its key.
     *
     * @param results {@code OUT/results}
     * @param r the record
     * @param key what decided its numbers
     */
    public static void write(Path results, ResultRecord r, String key) throws IOException {
        Path dir = results.resolve(r.cellId());
        Files.createDirectories(dir);
        Files.deleteIfExists(dir.resolve(KEY_FILE));
        ResultJson.write(dir.resolve(ResultLoader.FILE_NAME), r);
        Files.writeString(dir.resolve(KEY_FILE), key, StandardCharsets.UTF_8);
    }

    /**
     * Renders the report of every record under {@code results}.
     *
     * @param results {@code OUT/results}
     * @param out the report folder
     * @return the HTML site's {@code index.html}
     */
    public static Path render(Path results, Path out) {
        List<LoadedResult> loaded = ResultLoader.load(List.of(results));
        ReportModel model = ReportModel.of(loaded);
        Path index = null;
        for (ResultFormat f : List.of(new HtmlSite(), new CsvFormat(), new MarkdownFormat())) {
            List<Path> written = f.write(model, out);
            if (f instanceof HtmlSite) {
                index = written.get(0);
            }
        }
        return index.toAbsolutePath().normalize();
    }
}
