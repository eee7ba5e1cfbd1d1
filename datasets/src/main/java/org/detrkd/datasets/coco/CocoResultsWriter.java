package org.detrkd.datasets.coco;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes {@link CocoDetections} as a COCO results file (a JSON list of {@code {image_id, category_id, bbox, score}},
 * one detection per line, in order). Deterministic like {@link CocoJsonWriter} (fixed key order, integers without a
 * fraction, other numbers as Java's shortest round-trip decimal, so {@link CocoResultsReader} reads back the same
 * doubles) and atomic (temporary file beside the target, then a move).
 */
public final class CocoResultsWriter {
    private static final JsonFactory FACTORY = JsonFactory.builder().build();

    private CocoResultsWriter() {}

    /** Writes {@code dets} to {@code file} atomically. */
    public static void write(CocoDetections dets, Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path tmp = Files.createTempFile(parent, file.getFileName().toString(), ".tmp");
        try {
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
                write(dets, out);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Writes {@code dets} to a stream (not closed). */
    public static void write(CocoDetections dets, OutputStream out) throws IOException {
        try (JsonGenerator g = FACTORY.createGenerator(out, JsonEncoding.UTF8)) {
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            // the list's brackets and commas are written raw so that each detection sits on its own line
            g.setRootValueSeparator(null);
            g.writeRaw("[");
            for (int i = 0; i < dets.size(); i++) {
                g.writeRaw(i == 0 ? "\n" : ",\n");
                g.writeStartObject();
                g.writeNumberField("image_id", dets.imageId(i));
                g.writeNumberField("category_id", dets.categoryId(i));
                g.writeArrayFieldStart("bbox");
                CocoJsonWriter.writeNumber(g, dets.x(i));
                CocoJsonWriter.writeNumber(g, dets.y(i));
                CocoJsonWriter.writeNumber(g, dets.w(i));
                CocoJsonWriter.writeNumber(g, dets.h(i));
                g.writeEndArray();
                g.writeFieldName("score");
                CocoJsonWriter.writeNumber(g, dets.score(i));
                g.writeEndObject();
            }
            g.writeRaw("\n]\n");
        }
    }
}
