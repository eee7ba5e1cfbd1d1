package org.detrkd.datasets.coco;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.detrkd.datasets.io.InputException;

/**
 * Reads a COCO instances file ({@code images}, {@code categories}, {@code annotations}) with Jackson's streaming
 * parser, so that val2017-sized files load without building a JSON tree. Other top-level keys ({@code info},
 * {@code licenses}) and other per-entry keys ({@code segmentation}, ...) are skipped.
 *
 * <p>Structural problems (malformed JSON, a missing required field, a wrong type) are reported as an
 * {@link InputException} naming the file, the JSON pointer of the entry and the source line. Semantic checks
 * (duplicate ids, boxes outside the image, unknown references) are the validator's job.
 */
public final class CocoJsonReader {
    private static final JsonFactory FACTORY = JsonFactory.builder().build();
    private static final Pattern SOURCE = Pattern.compile("\\[Source: .*?; line: (\\d+), column: (\\d+)]");

    private CocoJsonReader() {}

    /** Reads a COCO instances file. */
    public static CocoDataset read(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString());
        } catch (NoSuchFileException e) {
            throw new InputException(file, "", "file not found");
        } catch (IOException e) {
            throw new InputException(file.toString(), "", "cannot read: " + e.getMessage(), e);
        }
    }

    /** Reads a COCO instances document from a stream; {@code name} is used in error messages. */
    public static CocoDataset read(InputStream in, String name) throws IOException {
        List<CocoImage> images = new ArrayList<>();
        List<CocoCategory> categories = new ArrayList<>();
        List<CocoAnnotation> annotations = new ArrayList<>();
        boolean sawImages = false;
        boolean sawCategories = false;
        try (JsonParser p = FACTORY.createParser(in)) {
            JsonFields f = new JsonFields(p, name);
            f.expect(p.nextToken(), JsonToken.START_OBJECT, "", "a JSON object with images, categories, annotations");
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                JsonToken value = p.nextToken();
                switch (key) {
                    case "images" -> {
                        sawImages = true;
                        readArray(f, value, "/images", i -> images.add(readImage(f, "/images/" + i)));
                    }
                    case "categories" -> {
                        sawCategories = true;
                        readArray(f, value, "/categories", i -> categories.add(readCategory(f, "/categories/" + i)));
                    }
                    case "annotations" -> readArray(f, value, "/annotations",
                            i -> annotations.add(readAnnotation(f, "/annotations/" + i)));
                    default -> p.skipChildren();
                }
            }
            if (p.nextToken() != null) {
                throw f.error("", "unexpected content after the top-level object");
            }
            if (!sawImages) {
                throw new InputException(name, "", "missing required top-level key 'images'", null);
            }
            if (!sawCategories) {
                throw new InputException(name, "", "missing required top-level key 'categories'", null);
            }
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : "line " + at.getLineNr() + ", column " + at.getColumnNr();
            throw new InputException(name, where, "malformed JSON: " + withoutSource(e.getOriginalMessage()), e);
        }
        return new CocoDataset(images, categories, annotations);
    }

    /** Jackson's "[Source: REDACTED (...); line: 1, column: 12]" inside a message becomes "line 1, column 12". */
    static String withoutSource(String message) {
        return message == null ? "" : SOURCE.matcher(message).replaceAll("line $1, column $2");
    }

    private interface EntryReader {
        void read(int index) throws IOException;
    }

    private static void readArray(JsonFields f, JsonToken value, String pointer, EntryReader entry)
            throws IOException {
        f.expect(value, JsonToken.START_ARRAY, pointer, "an array");
        int i = 0;
        while (f.parser().nextToken() != JsonToken.END_ARRAY) {
            entry.read(i++);
        }
    }

    private static CocoImage readImage(JsonFields f, String pointer) throws IOException {
        JsonFields.Entry e = f.readObject(pointer);
        return new CocoImage(e.requireLong("id"), e.requireString("file_name"),
                e.requireInt("width"), e.requireInt("height"));
    }

    private static CocoCategory readCategory(JsonFields f, String pointer) throws IOException {
        JsonFields.Entry e = f.readObject(pointer);
        return new CocoCategory(e.requireLong("id"), e.requireString("name"), e.optString("supercategory", ""));
    }

    private static CocoAnnotation readAnnotation(JsonFields f, String pointer) throws IOException {
        JsonFields.Entry e = f.readObject(pointer);
        double[] box = e.requireBox("bbox");
        return new CocoAnnotation(e.requireLong("id"), e.requireLong("image_id"), e.requireLong("category_id"),
                box[0], box[1], box[2], box[3], e.requireDouble("area"), e.requireFlag("iscrowd"));
    }
}
