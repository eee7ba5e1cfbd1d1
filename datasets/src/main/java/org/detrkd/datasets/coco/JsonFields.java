package org.detrkd.datasets.coco;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.detrkd.datasets.io.InputException;

/**
 * Small helpers over a streaming {@link JsonParser} for flat COCO entries: reads one object's scalar fields and
 * number arrays, and turns a missing or mistyped field into an {@link InputException} with the file, the JSON
 * pointer and the source line.
 */
final class JsonFields {
    private final JsonParser parser;
    private final String file;

    JsonFields(JsonParser parser, String file) {
        this.parser = parser;
        this.file = file;
    }

    JsonParser parser() {
        return parser;
    }

    void expect(JsonToken actual, JsonToken wanted, String pointer, String what) {
        if (actual != wanted) {
            throw error(pointer, "expected " + what + ", found " + describe(actual));
        }
    }

    InputException error(String pointer, String problem) {
        String where = pointer.isEmpty() ? "" : pointer;
        where += (where.isEmpty() ? "" : " ") + "(line " + parser.currentLocation().getLineNr() + ")";
        return new InputException(file, where, problem, null);
    }

    /** Reads the object starting at the current token; nested objects are skipped, number arrays kept. */
    Entry readObject(String pointer) throws IOException {
        expect(parser.currentToken(), JsonToken.START_OBJECT, pointer, "an object");
        int line = parser.currentLocation().getLineNr();
        Map<String, Object> values = new HashMap<>();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String key = parser.currentName();
            JsonToken t = parser.nextToken();
            switch (t) {
                case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> values.put(key, parser.getDoubleValue());
                case VALUE_STRING -> values.put(key, parser.getText());
                case VALUE_TRUE -> values.put(key, Boolean.TRUE);
                case VALUE_FALSE -> values.put(key, Boolean.FALSE);
                case VALUE_NULL -> values.put(key, null);
                case START_ARRAY -> values.put(key, readNumbers());
                default -> {
                    parser.skipChildren();
                    values.put(key, Shape.OBJECT);
                }
            }
        }
        return new Entry(values, pointer, line);
    }

    private Object readNumbers() throws IOException {
        double[] buf = new double[4];
        int n = 0;
        boolean numeric = true;
        JsonToken t;
        while ((t = parser.nextToken()) != JsonToken.END_ARRAY) {
            if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
                if (n == buf.length) {
                    buf = java.util.Arrays.copyOf(buf, n * 2);
                }
                buf[n++] = parser.getDoubleValue();
            } else {
                numeric = false;
                parser.skipChildren();
            }
        }
        return numeric ? java.util.Arrays.copyOf(buf, n) : Shape.OBJECT;
    }

    private static String describe(JsonToken t) {
        if (t == null) {
            return "end of file";
        }
        return switch (t) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> t.toString();
        };
    }

    /** Describes a stored value for a message: its JSON type, and for a number array its length. */
    private static String describe(Object v) {
        if (v instanceof Double d) {
            return "the number " + CocoValidator.number(d);
        }
        if (v instanceof String) {
            return "a string";
        }
        if (v instanceof Boolean) {
            return "a boolean";
        }
        if (v instanceof double[] a) {
            return a.length == 1 ? "1 number" : a.length + " numbers";
        }
        return "an object or a nested array";
    }

    private enum Shape { OBJECT }

    /** The scalar fields of one JSON object with typed accessors. */
    final class Entry {
        private final Map<String, Object> values;
        private final String pointer;
        private final int line;

        Entry(Map<String, Object> values, String pointer, int line) {
            this.values = values;
            this.pointer = pointer;
            this.line = line;
        }

        private InputException problem(String field, String what) {
            return new InputException(file, pointer + "/" + field + " (line " + line + ")", what, null);
        }

        private Object require(String field) {
            if (!values.containsKey(field)) {
                throw new InputException(file, pointer + " (line " + line + ")",
                        "missing required field '" + field + "'", null);
            }
            Object v = values.get(field);
            if (v == null) {
                throw problem(field, "must not be null");
            }
            return v;
        }

        double requireDouble(String field) {
            Object v = require(field);
            if (!(v instanceof Double d)) {
                throw problem(field, "expected a number, found " + describe(v));
            }
            if (!Double.isFinite(d)) {
                throw problem(field, "expected a finite number");
            }
            return d;
        }

        long requireLong(String field) {
            double d = requireDouble(field);
            if (d != Math.rint(d) || Math.abs(d) > 9.0e15) {
                throw problem(field, "expected an integer, found " + d);
            }
            return (long) d;
        }

        int requireInt(String field) {
            long v = requireLong(field);
            if (v > Integer.MAX_VALUE || v < Integer.MIN_VALUE) {
                throw problem(field, "out of range: " + v);
            }
            return (int) v;
        }

        boolean requireFlag(String field) {
            Object v = require(field);
            if (v instanceof Boolean b) {
                return b;
            }
            if (v instanceof Double d && (d == 0.0 || d == 1.0)) {
                return d == 1.0;
            }
            throw problem(field, "expected 0 or 1, found " + describe(v));
        }

        String requireString(String field) {
            Object v = require(field);
            if (!(v instanceof String s)) {
                throw problem(field, "expected a string, found " + describe(v));
            }
            return s;
        }

        String optString(String field, String fallback) {
            Object v = values.get(field);
            return v instanceof String s ? s : fallback;
        }

        double[] requireBox(String field) {
            Object v = require(field);
            if (!(v instanceof double[] box) || box.length != 4) {
                throw problem(field, "expected [x, y, width, height] (4 numbers), found " + describe(v));
            }
            for (double d : box) {
                if (!Double.isFinite(d)) {
                    throw problem(field, "expected finite numbers");
                }
            }
            return box;
        }
    }
}
