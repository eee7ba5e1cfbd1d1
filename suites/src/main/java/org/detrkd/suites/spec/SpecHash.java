package org.detrkd.suites.spec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Content hashes of resolved specs: SHA-256 of canonical JSON (keys sorted at every level), first 16 hex digits.
 * Canonical JSON is also how a cell's spec is written ({@link #json}), so a hash can be recomputed from the file.
 */
public final class SpecHash {
    private static final ObjectMapper CANONICAL = JsonMapper.builder()
            .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .build();

    private SpecHash() {
    }

    /** The hash of a value's canonical JSON. */
    public static String of(Object value) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(json(value).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** A value as a JSON object (keys sorted), or an empty map for null. */
    @SuppressWarnings("unchecked")
    public static java.util.Map<String, Object> toMap(Object value) {
        if (value == null) {
            return new java.util.LinkedHashMap<>();
        }
        return CANONICAL.convertValue(value, java.util.LinkedHashMap.class);
    }

    /** The canonical JSON of a value (one line, keys sorted). */
    public static String json(Object value) {
        try {
            return CANONICAL.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + value, e);
        }
    }
}
