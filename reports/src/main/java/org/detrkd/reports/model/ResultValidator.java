package org.detrkd.reports.model;

import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * Checks a bound {@link ResultRecord} for what the JSON types cannot say: schema version, non-empty ids,
 * status-dependent fields, metric ranges, epoch order. Each problem is a {@link ReportInputException} with a JSON
 * pointer.
 */
final class ResultValidator {
    private ResultValidator() {
    }

    static void validate(Path file, ResultRecord r) {
        if (r.schemaVersion() != ResultRecord.SCHEMA_VERSION) {
            fail(file, "/schema_version", "unsupported schema version " + r.schemaVersion() + " (this reader knows "
                    + ResultRecord.SCHEMA_VERSION + ")");
        }
        nonEmpty(file, "/suite", r.suite());
        nonEmpty(file, "/cell_id", r.cellId());
        nonEmpty(file, "/method", r.method());
        nonEmpty(file, "/detector", r.detector());
        nonEmpty(file, "/paper/row", r.paper().row());
        if (r.epochs() < 0) {
            fail(file, "/epochs", "must be >= 0, got " + r.epochs());
        }
        if (r.finished()) {
            if (r.metrics() == null) {
                fail(file, "/metrics", "missing: a finished cell must have metrics");
            }
            if (r.failure() != null) {
                fail(file, "/failure", "present on a finished cell");
            }
            checkMetrics(file, r.metrics());
        } else if (r.failure() == null) {
            fail(file, "/failure", "missing: a failed cell must say why");
        }
        checkHistory(file, r.history());
        try {
            Instant.parse(r.finishedAt());
        } catch (DateTimeParseException e) {
            fail(file, "/finished_at", "expected an ISO-8601 instant such as 2026-11-22T10:00:00Z, got '"
                    + r.finishedAt() + "'");
        }
    }

    private static void checkMetrics(Path file, CocoMetrics m) {
        double[] v = m.values();
        for (int i = 0; i < v.length; i++) {
            boolean ok = v[i] == -1.0 || (v[i] >= 0.0 && v[i] <= 1.0);
            if (!ok) {
                fail(file, "/metrics/" + CocoMetrics.NAMES.get(i),
                        "must be on the 0-1 scale (or -1 for undefined), got " + v[i]);
            }
        }
    }

    private static void checkHistory(Path file, List<EpochRecord> history) {
        int last = 0;
        for (int i = 0; i < history.size(); i++) {
            EpochRecord e = history.get(i);
            if (e == null) {
                fail(file, "/history/" + i, "null is not allowed here (expected an object)");
            }
            if (e.epoch() <= last) {
                fail(file, "/history/" + i + "/epoch", "epochs must increase from 1, got " + e.epoch()
                        + " after " + last);
            }
            last = e.epoch();
            if (e.ap() != null && !(e.ap() == -1.0 || (e.ap() >= 0.0 && e.ap() <= 1.0))) {
                fail(file, "/history/" + i + "/AP", "must be on the 0-1 scale, got " + e.ap());
            }
        }
    }

    private static void nonEmpty(Path file, String pointer, String value) {
        if (value == null || value.isBlank()) {
            fail(file, pointer, "must be a non-empty string");
        }
    }

    private static void fail(Path file, String pointer, String problem) {
        throw new ReportInputException(file, pointer, problem);
    }
}
