package org.detrkd.datasets.coco;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.detrkd.datasets.io.InputException;

/**
 * Reads a COCO results file, a JSON list of {@code {"image_id", "category_id", "bbox": [x, y, w, h], "score"}},
 * into {@link CocoDetections} with Jackson's streaming parser: no tree, no per-entry map, so a val2017-sized file
 * (490,000 detections, about 45 MB) loads in well under a second or two. Other keys ({@code area},
 * {@code segmentation}, {@code id}) are skipped: the evaluator recomputes area and id as pycocotools'
 * {@code loadRes} does.
 *
 * <p>Problems are reported as an {@link InputException} naming the file, the JSON pointer ({@code /1234/bbox}) and
 * the source line: malformed JSON, a top level that is not a list, an entry that is not an object, a missing field,
 * a non-integer id, a non-finite number, a bbox that is not 4 numbers, a negative width or height. A width or height
 * of exactly 0 is accepted (pycocotools accepts it: IoU 0, area 0; the shared {@code edge} case exercises it).
 * Whether image and category ids exist is checked by the evaluator, which knows the ground truth.
 */
public final class CocoResultsReader {
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
            .build();

    private CocoResultsReader() {}

    /** Reads a results file. */
    public static CocoDetections read(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString());
        } catch (NoSuchFileException e) {
            throw new InputException(file, "", "file not found");
        } catch (IOException e) {
            throw new InputException(file.toString(), "", "cannot read: " + e.getMessage(), e);
        }
    }

    /** Reads a results document from a stream (not closed); {@code name} is used in error messages. */
    public static CocoDetections read(InputStream in, String name) throws IOException {
        try (JsonParser p = FACTORY.createParser(in)) {
            p.disable(JsonParser.Feature.AUTO_CLOSE_SOURCE);
            return new Parse(p, name).list();
        } catch (JsonParseException e) {
            throw new InputException(name, "line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr(), "malformed JSON: " + shortMessage(e), e);
        }
    }

    /** Jackson's message without its source-location suffix (the location is reported separately). */
    private static String shortMessage(JsonParseException e) {
        String m = e.getOriginalMessage();
        int cut = m.indexOf(" (start marker at");
        return cut < 0 ? m : m.substring(0, cut);
    }

    /** One pass over one document; holds the current entry's fields. */
    private static final class Parse {
        private final JsonParser p;
        private final String file;
        private final CocoDetections.Builder out = CocoDetections.builder(1 << 14);
        private final double[] box = new double[4];
        private int index;
        private int line;

        Parse(JsonParser p, String file) {
            this.p = p;
            this.file = file;
        }

        CocoDetections list() throws IOException {
            JsonToken t = p.nextToken();
            if (t != JsonToken.START_ARRAY) {
                throw error("", "expected a JSON list of detections ({image_id, category_id, bbox, score}), found "
                        + describe(t));
            }
            while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                if (t != JsonToken.START_OBJECT) {
                    throw error("/" + index, "expected an object, found " + describe(t));
                }
                entry();
                index++;
            }
            if ((t = p.nextToken()) != null) {
                throw error("", "unexpected content after the list: " + describe(t));
            }
            return out.build();
        }

        private void entry() throws IOException {
            line = p.currentTokenLocation().getLineNr();
            long image = 0;
            long category = 0;
            double score = 0;
            boolean hasImage = false;
            boolean hasCategory = false;
            boolean hasBox = false;
            boolean hasScore = false;
            String key;
            while ((key = p.nextFieldName()) != null) {
                JsonToken t = p.nextToken();
                switch (key) {
                    case "image_id" -> {
                        image = integer(t, key);
                        hasImage = true;
                    }
                    case "category_id" -> {
                        category = integer(t, key);
                        hasCategory = true;
                    }
                    case "score" -> {
                        score = number(t, key);
                        hasScore = true;
                    }
                    case "bbox" -> {
                        bbox(t);
                        hasBox = true;
                    }
                    default -> p.skipChildren();
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT) {
                throw error("/" + index, "expected a field name, found " + describe(p.currentToken()));
            }
            requirePresent(hasImage, "image_id");
            requirePresent(hasCategory, "category_id");
            requirePresent(hasBox, "bbox");
            requirePresent(hasScore, "score");
            out.add(image, category, box[0], box[1], box[2], box[3], score);
        }

        private void requirePresent(boolean present, String field) {
            if (!present) {
                throw new InputException(file, "/" + index + " (line " + line + ")",
                        "missing required field '" + field + "'", null);
            }
        }

        private double number(JsonToken t, String field) throws IOException {
            if (t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT) {
                throw error("/" + index + "/" + field, "expected a number, found " + describe(t));
            }
            double v = p.getDoubleValue();
            if (!Double.isFinite(v)) {
                throw error("/" + index + "/" + field, "expected a finite number, found " + p.getText());
            }
            return v;
        }

        private long integer(JsonToken t, String field) throws IOException {
            if (t == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
                return p.getLongValue();
            }
            double v = number(t, field);
            if (v != Math.rint(v) || Math.abs(v) > 9.0e15) {
                throw error("/" + index + "/" + field, "expected an integer id, found " + p.getText());
            }
            return (long) v;
        }

        private void bbox(JsonToken t) throws IOException {
            String pointer = "/" + index + "/bbox";
            if (t != JsonToken.START_ARRAY) {
                throw error(pointer, "expected [x, y, width, height] (4 numbers), found " + describe(t));
            }
            int n = 0;
            while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                if (n == 4 || (t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT)) {
                    throw error(pointer, "expected [x, y, width, height] (4 numbers), found "
                            + (n == 4 ? "more than 4 values" : describe(t) + " at position " + n));
                }
                double v = p.getDoubleValue();
                if (!Double.isFinite(v)) {
                    throw error(pointer, "expected finite numbers, found " + p.getText() + " at position " + n);
                }
                box[n++] = v;
            }
            if (n != 4) {
                throw error(pointer, "expected [x, y, width, height] (4 numbers), found " + n + " values");
            }
            if (box[2] < 0 || box[3] < 0) {
                throw error(pointer, "width and height must not be negative, found width " + box[2]
                        + ", height " + box[3]);
            }
        }

        private InputException error(String pointer, String problem) {
            String where = pointer + (pointer.isEmpty() ? "" : " ") + "(line " + p.currentLocation().getLineNr() + ")";
            return new InputException(file, where, problem, null);
        }

        private static String describe(JsonToken t) {
            if (t == null) {
                return "end of file";
            }
            return switch (t) {
                case START_OBJECT -> "an object";
                case START_ARRAY -> "a list";
                case VALUE_STRING -> "a string";
                case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
                case VALUE_TRUE, VALUE_FALSE -> "a boolean";
                case VALUE_NULL -> "null";
                default -> t.toString();
            };
        }
    }
}
