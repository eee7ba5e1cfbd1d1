package org.detrkd.suites.run;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.detrkd.reports.model.CocoMetrics;
import org.detrkd.reports.model.Environment;
import org.detrkd.reports.model.Failure;
import org.detrkd.reports.model.ResultRecord;
import org.detrkd.reports.model.Status;
import org.detrkd.suites.spec.Cell;

/** A cell's {@code result.json} ({@link ResultRecord}) from its resolved spec and what its training gave. */
final class ResultRecords {
    private ResultRecords() {
    }

    /** A finished cell. */
    static ResultRecord finished(Cell c, Trained t, CellAnalysis a, String teacherCheckpoint, Environment env) {
        double[] s = t.stats();
        CocoMetrics m = new CocoMetrics(s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8], s[9], s[10], s[11]);
        return record(c, teacherCheckpoint, Status.FINISHED, null, m, t.history(), a, t.wallSeconds(),
                t.stepsPerSecond(), t.peakRssBytes(), env);
    }

    /** A failed cell. */
    static ResultRecord failed(Cell c, CellFailure f, String teacherCheckpoint, double wallSeconds, long peakBytes,
            Environment env) {
        return record(c, teacherCheckpoint, Status.FAILED, new Failure(f.getMessage(), f.step(), f.terms()), null,
                List.of(), CellAnalysis.NONE, wallSeconds, 0, peakBytes, env);
    }

    private static ResultRecord record(Cell c, String teacherCheckpoint, Status status, Failure failure, CocoMetrics m,
            List<org.detrkd.reports.model.EpochRecord> history, CellAnalysis a, double wall, double stepsPerSecond,
            long peak, Environment env) {
        Map<String, Object> teacher = null;
        if (c.teacher() != null && (!c.method().equals("teacher") || c.teacher().given() != null)) {
            teacher = new java.util.LinkedHashMap<>(Cell.json(c.teacher()));
            teacher.put("hash", c.teacherHash());
            teacher.put("checkpoint", teacherCheckpoint);
        }
        return new ResultRecord(ResultRecord.SCHEMA_VERSION, c.suite(), c.scale(), c.cellId(), c.paper(),
                c.resultMethod(), c.preset(), Cell.json(c.options()), c.student().detector(), c.schedule().epochs(),
                teacher, Cell.json(c.student()), c.seed(), status, failure, m, history, a.instability(),
                a.maskImages(), wall, stepsPerSecond, peak, env, Instant.now().truncatedTo(ChronoUnit.SECONDS)
                .toString());
    }
}
