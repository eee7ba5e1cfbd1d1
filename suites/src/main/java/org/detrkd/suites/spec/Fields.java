package org.detrkd.suites.spec;

import java.util.ArrayList;
import java.util.List;
import org.detrkd.datasets.io.InputException;
import org.detrkd.suites.spec.YamlNode.Loc;
import org.detrkd.suites.spec.YamlNode.Mapping;
import org.detrkd.suites.spec.YamlNode.Scalar;
import org.detrkd.suites.spec.YamlNode.Sequence;

/**
 * Strict, typed access to one YAML mapping of a suite file: every key must be one of the allowed ones, every value of
 * the expected type, and every problem is an {@link InputException} naming the file, the line and what is allowed.
 *
 * @param file the file name for messages
 * @param path where the mapping is ({@code scales.mini.dataset}), for messages
 * @param map the mapping
 */
public record Fields(String file, String path, Mapping map) {

    /**
     * Opens {@code node} as a mapping whose keys must all be in {@code allowed}.
     *
     * @throws InputException when the node is not a mapping or has a key outside {@code allowed}
     */
    public static Fields of(String file, String path, YamlNode node, List<String> allowed) {
        if (!(node instanceof Mapping m)) {
            throw new InputException(file, node.loc().toString(), display(path) + ": expected a mapping, got "
                    + node.describe(), null);
        }
        for (String key : m.entries().keySet()) {
            if (!allowed.contains(key)) {
                throw new InputException(file, m.keyLocs().get(key).toString(), "unknown key '" + key + "' in "
                        + display(path) + "; allowed: " + String.join(", ", allowed), null);
            }
        }
        return new Fields(file, path, m);
    }

    /** Whether the key is present (possibly with a null value). */
    public boolean has(String key) {
        return map.entries().containsKey(key);
    }

    /** The node of a key, or null when absent. */
    public YamlNode node(String key) {
        return map.entries().get(key);
    }

    /** The location of a key (of the mapping when absent). */
    public Loc loc(String key) {
        Loc l = map.keyLocs().get(key);
        return l == null ? map.loc() : l;
    }

    /** The path of a key for messages. */
    public String at(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    /** The node of a required key. */
    public YamlNode required(String key) {
        YamlNode n = node(key);
        if (n == null || n instanceof Scalar s && s.isNull()) {
            throw error(map.loc(), "missing required key '" + key + "' in " + display(path));
        }
        return n;
    }

    public String string(String key) {
        return asString(required(key), at(key));
    }

    public String optString(String key, String otherwise) {
        return present(key) ? asString(node(key), at(key)) : otherwise;
    }

    /** A required string that must be one of {@code allowed}. */
    public String oneOf(String key, List<String> allowed) {
        return checkOneOf(required(key), string(key), key, allowed);
    }

    /** An optional string that must be one of {@code allowed}. */
    public String optOneOf(String key, List<String> allowed, String otherwise) {
        return present(key) ? checkOneOf(node(key), string(key), key, allowed) : otherwise;
    }

    public int integer(String key) {
        return asInt(required(key), at(key));
    }

    public int optInt(String key, int otherwise) {
        return present(key) ? asInt(node(key), at(key)) : otherwise;
    }

    public long optLong(String key, long otherwise) {
        return present(key) ? asLong(node(key), at(key)) : otherwise;
    }

    public double number(String key) {
        return asDouble(required(key), at(key));
    }

    public double optNumber(String key, double otherwise) {
        return present(key) ? asDouble(node(key), at(key)) : otherwise;
    }

    public boolean optBool(String key, boolean otherwise) {
        if (!present(key)) {
            return otherwise;
        }
        YamlNode n = node(key);
        if (n instanceof Scalar s && (s.token() == com.fasterxml.jackson.core.JsonToken.VALUE_TRUE
                || s.token() == com.fasterxml.jackson.core.JsonToken.VALUE_FALSE)) {
            return s.token() == com.fasterxml.jackson.core.JsonToken.VALUE_TRUE;
        }
        throw typeError(n, at(key), "true or false");
    }

    /** A list (required), as its items. */
    public List<YamlNode> list(String key) {
        YamlNode n = required(key);
        if (n instanceof Sequence s) {
            return s.items();
        }
        throw typeError(n, at(key), "a list");
    }

    /** An optional list of strings. */
    public List<String> optStrings(String key) {
        if (!present(key)) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (YamlNode item : list(key)) {
            out.add(asString(item, at(key)));
        }
        return out;
    }

    /** Whether the key is present with a non-null value. */
    public boolean present(String key) {
        YamlNode n = node(key);
        return n != null && !(n instanceof Scalar s && s.isNull());
    }

    /** An {@link InputException} at {@code loc}. */
    public InputException error(Loc loc, String problem) {
        return new InputException(file, loc.toString(), problem, null);
    }

    /** An {@link InputException} at the key. */
    public InputException error(String key, String problem) {
        return error(loc(key), problem);
    }

    private String checkOneOf(YamlNode n, String value, String key, List<String> allowed) {
        if (!allowed.contains(value)) {
            throw error(n.loc(), "unknown " + key + " '" + value + "' in " + display(path) + "; known: "
                    + String.join(", ", allowed));
        }
        return value;
    }

    String asString(YamlNode n, String where) {
        if (n instanceof Scalar s && s.token() == com.fasterxml.jackson.core.JsonToken.VALUE_STRING) {
            return s.text();
        }
        throw typeError(n, where, "a string");
    }

    int asInt(YamlNode n, String where) {
        long v = asLong(n, where);
        if (v != (int) v) {
            throw error(n.loc(), where + ": " + v + " is out of range");
        }
        return (int) v;
    }

    long asLong(YamlNode n, String where) {
        if (n instanceof Scalar s && s.token() == com.fasterxml.jackson.core.JsonToken.VALUE_NUMBER_INT) {
            return s.number().longValue();
        }
        throw typeError(n, where, "an integer");
    }

    double asDouble(YamlNode n, String where) {
        if (n instanceof Scalar s && s.number() != null) {
            return s.number().doubleValue();
        }
        throw typeError(n, where, "a number");
    }

    private InputException typeError(YamlNode n, String where, String expected) {
        return error(n.loc(), where + ": expected " + expected + ", got " + n.describe());
    }

    private static String display(String path) {
        return path.isEmpty() ? "the suite" : path;
    }
}
