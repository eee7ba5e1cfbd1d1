package org.detrkd.detr.ops;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** Reads the shared golden tensors ({@code reference/goldens/*.json}) and compares with their tolerance rule. */
final class Goldens {

    private Goldens() {}

    /** @return the parsed file {@code reference/goldens/<name>} under the {@code detrkd.shared} folder */
    static JsonNode load(String name) throws IOException {
        String shared = System.getProperty("detrkd.shared");
        if (shared == null) {
            throw new IllegalStateException("system property detrkd.shared (the shared folder) is not set");
        }
        Path file = Path.of(shared, "reference", "goldens", name);
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("missing golden file " + file + " (detrkd.shared=" + shared + ")");
        }
        return new ObjectMapper().readTree(file.toFile());
    }

    static Shape shape(JsonNode tensor) {
        JsonNode s = tensor.get("shape");
        long[] dims = new long[s.size()];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = s.get(i).asLong();
        }
        return new Shape(dims);
    }

    static float[] floats(JsonNode tensor) {
        JsonNode d = tensor.get("data");
        float[] out = new float[d.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) d.get(i).asDouble();
        }
        return out;
    }

    /** @return the tensor as a float32 array on {@code m} */
    static NDArray array(NDManager m, JsonNode tensor) {
        return m.create(floats(tensor), shape(tensor));
    }

    /**
     * Asserts {@code |actual - expected| <= atol + rtol * |expected|} element-wise.
     *
     * @return the largest absolute difference
     */
    static double assertClose(float[] actual, float[] expected, double atol, double rtol, String what) {
        assertEquals(actual.length, expected.length, what + ": length");
        double worst = 0;
        for (int i = 0; i < actual.length; i++) {
            double diff = Math.abs((double) actual[i] - expected[i]);
            worst = Math.max(worst, diff);
            assertTrue(diff <= atol + rtol * Math.abs(expected[i]), String.format(Locale.ROOT,
                    "%s[%d]: actual %.9g, expected %.9g, diff %.3g > atol %.1g + rtol %.1g", what, i, actual[i],
                    expected[i], diff, atol, rtol));
        }
        return worst;
    }

    /** Same as {@link #assertClose(float[], float[], double, double, String)} for doubles. */
    static double assertClose(double[] actual, double[] expected, double atol, double rtol, String what) {
        assertEquals(actual.length, expected.length, what + ": length");
        double worst = 0;
        for (int i = 0; i < actual.length; i++) {
            double diff = Math.abs(actual[i] - expected[i]);
            worst = Math.max(worst, diff);
            assertTrue(diff <= atol + rtol * Math.abs(expected[i]), String.format(Locale.ROOT,
                    "%s[%d]: actual %.15g, expected %.15g, diff %.3g > atol %.1g + rtol %.1g", what, i, actual[i],
                    expected[i], diff, atol, rtol));
        }
        return worst;
    }
}
