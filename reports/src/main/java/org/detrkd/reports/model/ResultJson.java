package org.detrkd.reports.model;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.TreeSet;

/**
 * Strict reading and deterministic writing of {@link ResultRecord} ({@code result.json}).
 *
 * <p>Unknown keys, missing required keys, wrong types and impossible values all become one
 * {@link ReportInputException} naming the file, the JSON location ({@code /history/2/AP (line 14, column 12)}) and
 * the problem. NaN and Infinity are written and read as bare JSON tokens (a failed cell's loss terms may hold them).
 */
public final class ResultJson {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .disable(JsonWriteFeature.WRITE_NAN_AS_STRINGS)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .build();

    private ResultJson() {
    }

    /** The strict mapper (shared; thread-safe). */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** Reads and validates one result file. */
    public static ResultRecord read(Path file) {
        ResultRecord record;
        try {
            record = MAPPER.readValue(file.toFile(), ResultRecord.class);
        } catch (NoSuchFileException e) {
            throw new ReportInputException(file, null, "no such file");
        } catch (JsonProcessingException e) {
            throw translate(file, e);
        } catch (IOException e) {
            if (!Files.exists(file)) {
                throw new ReportInputException(file, null, "no such file");
            }
            throw new ReportInputException(file.toString(), null, "cannot read: " + e.getMessage(), e);
        }
        if (record == null) {
            throw new ReportInputException(file, null, "empty file (expected one JSON object)");
        }
        ResultValidator.validate(file, record);
        return record;
    }

    /** Writes one record as pretty JSON with sorted map keys, atomically (temporary file, then move). */
    public static void write(Path file, ResultRecord record) {
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, ".result", ".tmp");
            Files.writeString(tmp, toJson(record) + "\n");
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** The record as pretty JSON (deterministic: record order for fields, sorted keys for maps). */
    public static String toJson(ResultRecord record) {
        try {
            return MAPPER.writeValueAsString(record);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise result " + record.cellId(), e);
        }
    }

    /** Turns a Jackson exception into one line: file, JSON pointer with line/column, problem. */
    static ReportInputException translate(Path file, JsonProcessingException e) {
        if (isMissingRequired(e)) {
            ReportInputException unknown = UnknownKeys.find(file, MAPPER, ResultRecord.class);
            if (unknown != null) {
                return unknown;   // a misspelt key shows up as "missing"; name the misspelling instead
            }
        }
        String pointer = e instanceof JsonMappingException m ? pointer(m) : "";
        if (isMissingRequired(e)) {
            int slash = pointer.lastIndexOf('/');
            pointer = slash <= 0 ? "/" : pointer.substring(0, slash);   // the object that lacks the key
        }
        JsonLocation loc = e.getLocation();
        String where = pointer;
        if (loc != null && loc.getLineNr() > 0) {
            String lc = String.format(Locale.ROOT, "line %d, column %d", loc.getLineNr(), loc.getColumnNr());
            where = pointer.isEmpty() ? lc : pointer + " (" + lc + ")";
        }
        return new ReportInputException(file.toString(), where, problem(e), e);
    }

    private static boolean isMissingRequired(JsonProcessingException e) {
        return e instanceof MismatchedInputException m
                && firstLine(m.getOriginalMessage()).startsWith("Missing required creator property");
    }

    private static String pointer(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            sb.append('/');
            sb.append(ref.getFieldName() != null ? ref.getFieldName() : String.valueOf(ref.getIndex()));
        }
        return sb.toString();
    }

    private static String problem(JsonProcessingException e) {
        if (e instanceof UnrecognizedPropertyException u) {
            TreeSet<String> known = new TreeSet<>();
            if (u.getKnownPropertyIds() != null) {
                u.getKnownPropertyIds().forEach(k -> known.add(String.valueOf(k)));
            }
            return "unknown key '" + u.getPropertyName() + "' (known: " + String.join(", ", known) + ")";
        }
        if (e instanceof InvalidFormatException f) {
            return "expected " + typeName(f.getTargetType()) + ", got '" + f.getValue() + "'";
        }
        if (e instanceof MismatchedInputException m) {
            String msg = firstLine(m.getOriginalMessage());
            if (msg.startsWith("Missing required creator property")) {
                int a = msg.indexOf('\'');
                int b = msg.indexOf('\'', a + 1);
                return "missing required key '" + (a >= 0 && b > a ? msg.substring(a + 1, b) : "?") + "'";
            }
            String got = got(m);
            if (got.equals("null")) {
                return "null is not allowed here (expected " + typeName(m.getTargetType()) + ")";
            }
            return "expected " + typeName(m.getTargetType()) + (got.isEmpty() ? " (" + msg + ")" : ", got " + got);
        }
        if (e instanceof JsonMappingException) {
            return firstLine(((JsonMappingException) e).getOriginalMessage());
        }
        return "malformed JSON: " + firstLine(e.getOriginalMessage());
    }

    /** The offending JSON value as the user wrote it, from the parser's current token; empty if unknown. */
    private static String got(MismatchedInputException m) {
        if (!(m.getProcessor() instanceof JsonParser p) || p.currentToken() == null) {
            return "";
        }
        try {
            return switch (p.currentToken()) {
                case VALUE_STRING -> "'" + p.getText() + "'";
                case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT, VALUE_TRUE, VALUE_FALSE, VALUE_NULL -> p.getText();
                case START_OBJECT, FIELD_NAME -> "an object";
                case START_ARRAY -> "a list";
                default -> "";
            };
        } catch (IOException e) {
            return "";
        }
    }

    private static String typeName(Class<?> type) {
        if (type == null) {
            return "a different value";
        }
        if (type.isEnum()) {
            StringBuilder sb = new StringBuilder("one of");
            for (Object c : type.getEnumConstants()) {
                sb.append(' ').append(c.toString().toLowerCase(Locale.ROOT));
            }
            return sb.toString();
        }
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
            return "an integer";
        }
        if (type == double.class || type == Double.class) {
            return "a number";
        }
        if (type == String.class) {
            return "a string";
        }
        if (java.util.List.class.isAssignableFrom(type)) {
            return "a list";
        }
        if (java.util.Map.class.isAssignableFrom(type) || type.isRecord()) {
            return "an object";
        }
        return type.getSimpleName();
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).trim();
    }
}
