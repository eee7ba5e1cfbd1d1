package org.detrkd.datasets.coco;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes a {@link CocoDataset} as a COCO instances file: deterministic (fixed key order, shortest round-trip
 * number text, one entry per line) so that the same dataset always gives byte-identical files, and atomic (written
 * to a temporary file beside the target, then moved), so a killed run never leaves half a file.
 */
public final class CocoJsonWriter {
    private static final JsonFactory FACTORY = JsonFactory.builder().build();

    private CocoJsonWriter() {}

    /** Writes {@code dataset} to {@code file} atomically. */
    public static void write(CocoDataset dataset, Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path tmp = Files.createTempFile(parent, file.getFileName().toString(), ".tmp");
        try {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                write(dataset, out);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Writes {@code dataset} to a stream (not closed). */
    public static void write(CocoDataset dataset, OutputStream out) throws IOException {
        try (JsonGenerator g = FACTORY.createGenerator(out, JsonEncoding.UTF8)) {
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            g.writeStartObject();
            g.writeRaw("\n");
            g.writeArrayFieldStart("images");
            for (CocoImage im : dataset.images()) {
                g.writeRaw("\n");
                g.writeStartObject();
                g.writeNumberField("id", im.id());
                g.writeStringField("file_name", im.fileName());
                g.writeNumberField("width", im.width());
                g.writeNumberField("height", im.height());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeRaw("\n");
            g.writeArrayFieldStart("categories");
            for (CocoCategory c : dataset.categories()) {
                g.writeRaw("\n");
                g.writeStartObject();
                g.writeNumberField("id", c.id());
                g.writeStringField("name", c.name());
                g.writeStringField("supercategory", c.supercategory());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeRaw("\n");
            g.writeArrayFieldStart("annotations");
            for (CocoAnnotation a : dataset.annotations()) {
                g.writeRaw("\n");
                g.writeStartObject();
                g.writeNumberField("id", a.id());
                g.writeNumberField("image_id", a.imageId());
                g.writeNumberField("category_id", a.categoryId());
                g.writeArrayFieldStart("bbox");
                writeNumber(g, a.x());
                writeNumber(g, a.y());
                writeNumber(g, a.w());
                writeNumber(g, a.h());
                g.writeEndArray();
                g.writeFieldName("area");
                writeNumber(g, a.area());
                g.writeNumberField("iscrowd", a.iscrowd() ? 1 : 0);
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeRaw("\n");
            g.writeEndObject();
            g.writeRaw("\n");
        }
    }

    /**
     * Integers without a fraction, everything else as Java's shortest round-trip decimal.
     *
     * @throws IllegalArgumentException for NaN or an infinity, which JSON cannot represent
     */
    static void writeNumber(JsonGenerator g, double v) throws IOException {
        if (!Double.isFinite(v)) {
            throw new IllegalArgumentException("cannot write " + v + ": JSON has no NaN or infinity");
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            g.writeNumber((long) v);
        } else {
            g.writeNumber(v);
        }
    }
}
