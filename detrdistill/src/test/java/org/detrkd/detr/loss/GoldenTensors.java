package org.detrkd.detr.loss;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.fail;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the shared golden files ({@code reference/goldens/*.json} under the {@code detrkd.shared} folder) and
 * compares values with their tolerance rule {@code |actual - expected| <= atol + rtol*|expected|}.
 */
public final class GoldenTensors {

    private static final Logger LOG = LoggerFactory.getLogger(GoldenTensors.class);

    private GoldenTensors() {}

    /** @return the parsed golden file, e.g. {@code box_ops.json} */
    public static JsonNode load(String name) {
        String shared = System.getProperty("detrkd.shared");
        if (shared == null) {
            throw new IllegalStateException("system property detrkd.shared is not set (surefire sets it to the "
                    + "shared folder)");
        }
        Path file = Path.of(shared, "reference", "goldens", name);
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("golden file missing: " + file);
        }
        try {
            return new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file, e);
        }
    }

    /** @return the shape of a {shape, dtype, data} tensor */
    public static Shape shape(JsonNode tensor) {
        long[] dims = new long[tensor.get("shape").size()];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = tensor.get("shape").get(i).asLong();
        }
        return new Shape(dims);
    }

    /** @return the row-major data of a tensor as doubles */
    public static double[] values(JsonNode tensor) {
        JsonNode data = tensor.get("data");
        double[] out = new double[data.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = data.get(i).asDouble();
        }
        return out;
    }

    /** @return an int64 tensor's data as ints */
    public static int[] ints(JsonNode tensor) {
        JsonNode data = tensor.get("data");
        int[] out = new int[data.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = data.get(i).asInt();
        }
        return out;
    }

    /** @return the tensor as a float32 or int64 NDArray of {@code manager} */
    public static NDArray array(NDManager manager, JsonNode tensor) {
        double[] v = values(tensor);
        if ("int64".equals(tensor.get("dtype").asText())) {
            long[] l = new long[v.length];
            for (int i = 0; i < v.length; i++) {
                l[i] = (long) v[i];
            }
            return manager.create(l, shape(tensor));
        }
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return manager.create(f, shape(tensor));
    }

    /** Asserts shape and values of {@code actual} against a golden tensor. */
    public static void assertClose(NDArray actual, JsonNode expected, double rtol, double atol, String what) {
        assertEquals(actual.getShape(), shape(expected), what + " shape");
        assertClose(actual.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).toDoubleArray(), values(expected),
                rtol, atol, what);
    }

    /**
     * Asserts every element within {@code atol + rtol*|expected|} (NaN only where NaN is expected) and logs the
     * worst absolute error and the worst fraction of the allowed error.
     */
    public static void assertClose(double[] actual, double[] expected, double rtol, double atol, String what) {
        assertEquals(actual.length, expected.length, what + " length");
        double worstAbs = 0;
        double worstUse = 0;
        for (int i = 0; i < actual.length; i++) {
            if (Double.isNaN(expected[i]) || Double.isNaN(actual[i])) {
                if (Double.isNaN(expected[i]) != Double.isNaN(actual[i])) {
                    fail(what + "[" + i + "]: expected " + expected[i] + " but was " + actual[i]);
                }
                continue;
            }
            double err = Math.abs(actual[i] - expected[i]);
            double allowed = atol + rtol * Math.abs(expected[i]);
            if (!(err <= allowed)) {
                fail(String.format(Locale.ROOT, "%s[%d]: expected %.9g but was %.9g (|diff| %.3g > allowed %.3g)",
                        what, i, expected[i], actual[i], err, allowed));
            }
            worstAbs = Math.max(worstAbs, err);
            worstUse = Math.max(worstUse, err / allowed);
        }
        LOG.info(String.format(Locale.ROOT, "%-40s max |diff| %.3g, %.1f%% of the allowed error", what, worstAbs,
                100 * worstUse));
    }

    /** Scalar form of {@link #assertClose(double[], double[], double, double, String)}. */
    public static void assertClose(double actual, double expected, double rtol, double atol, String what) {
        assertClose(new double[] {actual}, new double[] {expected}, rtol, atol, what);
    }
}
