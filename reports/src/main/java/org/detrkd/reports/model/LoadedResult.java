package org.detrkd.reports.model;

import java.nio.file.Path;

/**
 * A result record with the file it was read from (mask image paths are relative to its folder).
 *
 * @param file the {@code result.json} path
 * @param record the record
 */
public record LoadedResult(Path file, ResultRecord record) {
    /** The identity used to merge shards: suite, scale, cell id and seed. */
    public String key() {
        return record.suite() + "|" + record.scale().id() + "|" + record.cellId() + "|" + record.seed();
    }
}
