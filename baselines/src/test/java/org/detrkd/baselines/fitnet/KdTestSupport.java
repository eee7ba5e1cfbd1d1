package org.detrkd.baselines.fitnet;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.util.Pair;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.function.Function;

/** Helpers for the feature-distillation tests: fixed tensors, parameter setting, gradient and leak checks. */
public final class KdTestSupport {

    private KdTestSupport() {}

    /** @return {@code n} fixed values {@code scale * sin(0.37 i + phase)}, exactly representable as floats */
    public static float[] wave(int n, double phase, double scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (scale * Math.sin(0.37 * i + phase));
        }
        return v;
    }

    /** Overwrites a parameter's values (row-major). */
    public static void set(Parameter p, float[] data) {
        assertEquals(p.getArray().size(), data.length, "size of " + p.getName());
        p.getArray().set(data);
    }

    /** @return the value of {@code actual} at rtol/atol against {@code expected}, or fails with {@code what} */
    public static void assertClose(double actual, double expected, double rtol, double atol, String what) {
        double tol = atol + rtol * Math.abs(expected);
        assertTrue(Math.abs(actual - expected) <= tol,
                what + ": actual " + actual + " expected " + expected + " (tol " + tol + ")");
    }

    /** Asserts every element of {@code actual} against {@code expected}; returns the max abs difference. */
    public static double assertAllClose(float[] actual, double[] expected, double rtol, double atol, String what) {
        assertEquals(actual.length, expected.length, what + ": size");
        double worst = 0;
        for (int i = 0; i < actual.length; i++) {
            assertClose(actual[i], expected[i], rtol, atol, what + "[" + i + "]");
            worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
        }
        return worst;
    }

    /** @return the sum of |x| */
    public static double absSum(NDArray a) {
        double s = 0;
        for (float f : a.toFloatArray()) {
            s += Math.abs(f);
        }
        return s;
    }

    /**
     * Runs {@code loss} (student, teacher -> named terms) under a gradient collector on the sum of all terms (each
     * must be a float32 scalar), and checks:
     * the student features get a non-zero gradient, the teacher features (which require a gradient here, as if the
     * caller forgot to detach them) get none, so the method detaches them itself, and every weight named in
     * {@code mustLearn} (substring of the parameter path) gets a non-zero gradient.
     */
    public static void assertGradientFlow(Block block, List<NDArray> student, List<NDArray> teacher,
            Function<List<NDArray>[], LinkedHashMap<String, NDArray>> loss, String... mustLearn) {
        List<NDArray> studentCopy = new java.util.ArrayList<>();
        for (NDArray a : student) {
            studentCopy.add(a.duplicate());
        }
        List<float[]> clean = studentGradients(studentCopy, teacher, loss, false);
        List<float[]> scribbled = studentGradients(student, teacher, loss, true);
        for (int l = 0; l < clean.size(); l++) {
            float[] a = clean.get(l);
            float[] b = scribbled.get(l);
            for (int i = 0; i < a.length; i++) {
                assertEquals(b[i], a[i], 1e-6f + 1e-5f * Math.abs(a[i]),
                        "student level " + l + " gradient " + i + " changed when freed Java memory was overwritten"
                                + " (a graph op with a Java number: use org.detrkd.detr.util.Scalars)");
            }
        }
        for (int l = 0; l < student.size(); l++) {
            assertTrue(absSum(student.get(l).getGradient()) > 0, "student level " + l + " has no gradient");
            assertEquals(absSum(teacher.get(l).getGradient()), 0.0, 0.0, "teacher level " + l + " got a gradient");
        }
        for (String name : mustLearn) {
            boolean found = false;
            for (Pair<String, Parameter> p : block.getParameters()) {
                // Every matching weight must learn; biases may have an identically zero gradient (the bias of a
                // convolution feeding a softmax, such as GcBlock's conv_mask, does not change the loss).
                if (p.getKey().contains(name) && p.getKey().endsWith("weight")) {
                    found = true;
                    assertTrue(absSum(p.getValue().getArray().getGradient()) > 0, p.getKey() + " has no gradient");
                }
            }
            assertTrue(found, "no parameter matching " + name + " in " + block.getParameters().keys());
        }
    }

    /**
     * One forward/backward of {@code loss} (fresh student arrays, engine seed fixed for random masks); with {@code scribble}, freed Java direct memory is
     * overwritten between forward and backward ({@code DirectMemoryScribbler}), which changes the gradients of any
     * graph that still reads a freed Java buffer.
     */
    private static List<float[]> studentGradients(List<NDArray> student, List<NDArray> teacher,
            Function<List<NDArray>[], LinkedHashMap<String, NDArray>> loss, boolean scribble) {
        for (NDArray s : student) {
            s.setRequiresGradient(true);
        }
        for (NDArray t : teacher) {
            t.setRequiresGradient(true);
        }
        Engine.getInstance().setRandomSeed(20231);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            @SuppressWarnings("unchecked")
            List<NDArray>[] args = new List[] {student, teacher};
            NDArray total = null;
            for (var e : loss.apply(args).entrySet()) {
                NDArray term = e.getValue();
                assertEquals(term.getDataType(), ai.djl.ndarray.types.DataType.FLOAT32, e.getKey() + " data type");
                assertEquals(term.getShape(), new Shape(), e.getKey() + " must be a scalar");
                total = total == null ? term : total.add(term);
            }
            if (scribble) {
                org.detrkd.detr.loss.DirectMemoryScribbler.scribble();
            }
            gc.backward(total);
        }
        List<float[]> grads = new java.util.ArrayList<>();
        for (NDArray s : student) {
            grads.add(s.getGradient().toFloatArray());
        }
        return grads;
    }

    /** Fills a new array of {@code shape} in {@code m} with {@link #wave}. */
    public static NDArray waveArray(NDManager m, Shape shape, double phase, double scale) {
        return m.create(wave((int) shape.size(), phase, scale), shape);
    }

    /** @return the parsed golden file {@code reference/goldens/<name>} of the shared folder */
    public static JsonNode golden(String name) throws IOException {
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

    /** @return a golden tensor's data as floats (exact: the goldens store float32 values) */
    public static float[] floats(JsonNode tensor) {
        JsonNode data = tensor.get("data");
        float[] v = new float[data.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) data.get(i).asDouble();
        }
        return v;
    }

    /** @return a golden tensor's data as doubles */
    public static double[] doubles(JsonNode tensor) {
        JsonNode data = tensor.get("data");
        double[] v = new double[data.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = data.get(i).asDouble();
        }
        return v;
    }

    /** @return a golden tensor's shape */
    public static Shape shape(JsonNode tensor) {
        JsonNode s = tensor.get("shape");
        long[] dims = new long[s.size()];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = s.get(i).asLong();
        }
        return new Shape(dims);
    }

    /** @return a golden tensor as an array in {@code m} */
    public static NDArray array(NDManager m, JsonNode tensor) {
        return m.create(floats(tensor), shape(tensor));
    }
}
