package org.detrkd.datasets.generate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.detrkd.datasets.coco.CocoCategory;

/**
 * {@code dataset.json} of a generated folder: what made it (name, generator version, seed, every setting, the
 * external source if any) then what it holds (categories, per-split counts), keys in a fixed order, two-space
 * indent and {@code \n} line ends, so equal datasets give equal bytes.
 *
 * <p>The first part, the header, identifies a dataset completely (generation is deterministic): two folders with
 * the same header hold the same files. {@code data make} uses it to recognise a folder it already made.
 */
final class DatasetMetadata {
    /** Bumped whenever a change to the generators changes any output byte. */
    static final int GENERATOR_VERSION = 1;
    /** The header keys, in order. */
    static final List<String> HEADER_KEYS =
            List.of("name", "generator", "generator_version", "seed", "settings", "source");

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final ObjectWriter WRITER = MAPPER.writer(new DefaultPrettyPrinter()
            .withObjectIndenter(new DefaultIndenter("  ", "\n")));

    private DatasetMetadata() {}

    /** The identifying header of the dataset {@code generator} makes. */
    static ObjectNode header(SceneGenerator generator) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("name", generator.name());
        n.put("generator", "detrkd " + SceneGenerator.class.getPackageName());
        n.put("generator_version", GENERATOR_VERSION);
        n.put("seed", generator.spec().seed());
        n.set("settings", MAPPER.valueToTree(generator.spec().settings()));
        n.set("source", MAPPER.valueToTree(generator.source()));
        return n;
    }

    /** Writes the full metadata file. */
    static void write(Path file, ObjectNode header, List<CocoCategory> categories,
                      Map<String, SplitStats> splits) throws IOException {
        ObjectNode n = header.deepCopy();
        n.set("categories", MAPPER.valueToTree(categories.stream().map(CocoCategory::name).toList()));
        ObjectNode s = n.putObject("splits");
        for (Map.Entry<String, SplitStats> e : splits.entrySet()) {
            SplitStats st = e.getValue();
            ObjectNode o = s.putObject(e.getKey());
            o.put("images", st.images());
            o.put("annotations", st.boxes());
            o.put("small", st.small());
            o.put("medium", st.medium());
            o.put("large", st.large());
        }
        Files.writeString(file, WRITER.writeValueAsString(n) + "\n");
    }

    /** The parsed file, or null when it is absent or not a JSON object. */
    static JsonNode read(Path file) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            JsonNode n = MAPPER.readTree(file.toFile());
            return n != null && n.isObject() ? n : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** The first header key whose value differs, or null when {@code existing} has the same header. */
    static String firstDifference(JsonNode existing, ObjectNode header) {
        for (String key : HEADER_KEYS) {
            if (!text(existing.get(key)).equals(text(header.get(key)))) {
                if (key.equals("settings") && existing.get(key) != null) {
                    for (var it = header.get(key).fieldNames(); it.hasNext(); ) {
                        String s = it.next();
                        if (!text(existing.get(key).get(s)).equals(text(header.get(key).get(s)))) {
                            return s;
                        }
                    }
                }
                return key;
            }
        }
        return null;
    }

    /** The per-split counts recorded in an existing file. */
    static Map<String, SplitStats> splits(JsonNode existing) {
        Map<String, SplitStats> out = new LinkedHashMap<>();
        JsonNode s = existing.path("splits");
        for (var it = s.fields(); it.hasNext(); ) {
            var e = it.next();
            JsonNode o = e.getValue();
            out.put(e.getKey(), new SplitStats(o.path("images").asInt(), o.path("annotations").asInt(),
                    o.path("small").asInt(), o.path("medium").asInt(), o.path("large").asInt()));
        }
        return out;
    }

    private static String text(JsonNode n) {
        try {
            return n == null ? "<absent>" : MAPPER.writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
