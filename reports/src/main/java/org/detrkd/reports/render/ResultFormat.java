package org.detrkd.reports.render;

import java.nio.file.Path;
import java.util.List;

/**
 * One output format of the report (CSV, Markdown, HTML site). Implementations are deterministic: the same model gives
 * byte-identical files, so they can be checked against golden files.
 */
public interface ResultFormat {
    /** Short name ({@code csv}, {@code markdown}, {@code html}). */
    String name();

    /**
     * Writes this format's files under {@code outDir} (created if needed).
     *
     * @return the files written, the main one first
     */
    List<Path> write(ReportModel model, Path outDir);
}
