package org.detrkd.suites.spec;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.detrkd.datasets.io.InputException;

/**
 * A YAML document as a tree that remembers where every node starts, so that every later error can name the line.
 *
 * <p>Jackson's {@code JsonNode} forgets locations; this tree is built from the {@code YAMLParser} token stream with
 * {@link JsonParser#currentTokenLocation()}. Scalars keep their YAML type (the parser resolves plain scalars:
 * {@code 12} is an integer, {@code 1e-4} a float, {@code true}/{@code yes} a boolean, {@code ~} null; quoted text is a
 * string). Duplicate keys, which YAML forbids but the parser accepts, are errors here.
 */
public sealed interface YamlNode permits YamlNode.Mapping, YamlNode.Sequence, YamlNode.Scalar {

    /** Where the node starts. */
    Loc loc();

    /** The YAML type for messages: {@code a mapping}, {@code a list}, {@code a string 'x'}, ... */
    String describe();

    /** A line (and column), 1-based. */
    record Loc(int line, int column) {
        /** {@code line N, column M}: the location part of an {@link InputException}. */
        @Override
        public String toString() {
            return "line " + line + ", column " + column;
        }
    }

    /** A mapping: keys in file order, each with the location of the key. */
    record Mapping(Loc loc, Map<String, YamlNode> entries, Map<String, Loc> keyLocs) implements YamlNode {
        @Override
        public String describe() {
            return "a mapping";
        }
    }

    /** A list. */
    record Sequence(Loc loc, List<YamlNode> items) implements YamlNode {
        @Override
        public String describe() {
            return "a list";
        }
    }

    /** A scalar: its token type decides string/int/float/bool/null. */
    record Scalar(Loc loc, JsonToken token, String text, Number number) implements YamlNode {
        /** Whether this is YAML null ({@code ~}, {@code null} or nothing). */
        public boolean isNull() {
            return token == JsonToken.VALUE_NULL;
        }

        @Override
        public String describe() {
            return switch (token) {
                case VALUE_NULL -> "null";
                case VALUE_TRUE, VALUE_FALSE -> "a boolean " + text;
                case VALUE_NUMBER_INT -> "an integer " + text;
                case VALUE_NUMBER_FLOAT -> "a number " + text;
                default -> "a string '" + text + "'";
            };
        }
    }

    /**
     * Parses one YAML document.
     *
     * @param file the file name for messages
     * @param text the document
     * @return the root node
     * @throws InputException for malformed YAML (with the parser's line), duplicate keys or an empty document
     */
    static YamlNode parse(String file, String text) {
        try (JsonParser p = new YAMLFactory().createParser(text)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                throw new InputException(file, "line 1", "the file is empty", null);
            }
            return read(file, p);
        } catch (JsonProcessingException e) {
            JsonLocation l = e.getLocation();
            String where = l == null ? "" : "line " + l.getLineNr() + ", column " + l.getColumnNr();
            throw new InputException(file, where, "malformed YAML: " + e.getOriginalMessage().lines().findFirst()
                    .orElse("syntax error"), null);
        } catch (IOException e) {
            throw new InputException(file, "", "cannot read: " + e.getMessage(), e);
        }
    }

    private static YamlNode read(String file, JsonParser p) throws IOException {
        JsonLocation l = p.currentTokenLocation();
        Loc loc = new Loc(l.getLineNr(), l.getColumnNr());
        JsonToken t = p.currentToken();
        switch (t) {
            case START_OBJECT: {
                Map<String, YamlNode> entries = new LinkedHashMap<>();
                Map<String, Loc> keys = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    JsonLocation kl = p.currentTokenLocation();
                    Loc keyLoc = new Loc(kl.getLineNr(), kl.getColumnNr());
                    String key = p.currentName();
                    if (entries.containsKey(key)) {
                        throw new InputException(file, keyLoc.toString(), "duplicate key '" + key + "' (first at "
                                + keys.get(key) + ")", null);
                    }
                    p.nextToken();
                    keys.put(key, keyLoc);
                    entries.put(key, read(file, p));
                }
                return new Mapping(loc, entries, keys);
            }
            case START_ARRAY: {
                List<YamlNode> items = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    items.add(read(file, p));
                }
                return new Sequence(loc, items);
            }
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT:
                return new Scalar(loc, t, p.getText(), p.getNumberValue());
            default:
                return new Scalar(loc, t, p.getText(), null);
        }
    }
}
