package org.detrkd.datasets.eval;

import static org.testng.Assert.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.detrkd.datasets.coco.CocoDataset;
import org.detrkd.datasets.coco.CocoDetections;
import org.detrkd.datasets.coco.CocoJsonReader;
import org.detrkd.datasets.coco.CocoResultsReader;

/** Access to the pycocotools reference cases in {@code <detrkd.shared>/reference/coco-eval}. */
final class ReferenceCases {
    static final String[] NAMES = {"small", "edge", "coco_val2014_100"};
    private static final ObjectMapper JSON = new ObjectMapper();

    private ReferenceCases() {}

    static Path dir(String name) {
        String shared = System.getProperty("detrkd.shared");
        if (shared == null) {
            fail("system property detrkd.shared is not set (surefire sets it to the shared folder)");
        }
        Path dir = Path.of(shared, "reference", "coco-eval", name);
        if (!Files.isDirectory(dir)) {
            fail("reference case not found: " + dir);
        }
        return dir;
    }

    static CocoDataset gt(String name) {
        return CocoJsonReader.read(dir(name).resolve("gt.json"));
    }

    static CocoDetections dt(String name) {
        return CocoResultsReader.read(dir(name).resolve("dt.json"));
    }

    static JsonNode json(String name, String file) throws IOException {
        return JSON.readTree(dir(name).resolve(file).toFile());
    }

    static EvalResult evaluate(String name, int threads) {
        Path d = dir(name);
        return new CocoEvaluator(threads).run(gt(name), d.resolve("gt.json").toString(), dt(name),
                d.resolve("dt.json").toString());
    }
}
