package org.detrkd.reports.model;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeSet;

/**
 * Finds the first unknown key in a JSON document against a record type, descending into nested records and lists
 * of records. Jackson reports a missing required key before an unknown one (unknown keys of a creator-built object
 * are only looked at after it is built), so a misspelt required key would read "missing"; this names the misspelling.
 */
final class UnknownKeys {
    private UnknownKeys() {
    }

    /** The first unknown key as an error, or null when there is none (or the file does not parse as a tree). */
    static ReportInputException find(Path file, ObjectMapper mapper, Class<?> type) {
        try {
            return walk(file, mapper, mapper.readTree(file.toFile()), mapper.constructType(type), "");
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static ReportInputException walk(Path file, ObjectMapper mapper, JsonNode node, JavaType type,
            String pointer) {
        if (node == null || !node.isObject() || !type.isRecordType()) {
            return null;
        }
        BeanDescription desc = mapper.getDeserializationConfig().introspect(type);
        Map<String, BeanPropertyDefinition> known = new java.util.HashMap<>();
        for (BeanPropertyDefinition p : desc.findProperties()) {
            known.put(p.getName(), p);
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            String where = pointer + "/" + f.getKey();
            BeanPropertyDefinition p = known.get(f.getKey());
            if (p == null) {
                return new ReportInputException(file, where, "unknown key '" + f.getKey() + "' (known: "
                        + String.join(", ", new TreeSet<>(known.keySet())) + ")");
            }
            JavaType t = p.getPrimaryType();
            ReportInputException inner = t.isCollectionLikeType() && f.getValue().isArray()
                    ? inList(file, mapper, f.getValue(), t.getContentType(), where)
                    : walk(file, mapper, f.getValue(), t, where);
            if (inner != null) {
                return inner;
            }
        }
        return null;
    }

    private static ReportInputException inList(Path file, ObjectMapper mapper, JsonNode array, JavaType type,
            String pointer) {
        for (int i = 0; i < array.size(); i++) {
            ReportInputException e = walk(file, mapper, array.get(i), type, pointer + "/" + i);
            if (e != null) {
                return e;
            }
        }
        return null;
    }
}
