package org.detrkd.detr.ops;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;

import com.fasterxml.jackson.databind.JsonNode;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testng.annotations.Test;

import java.io.IOException;
import java.util.Locale;
import java.util.Random;

/**
 * {@link BilinearSampler} against torch's {@code grid_sample} goldens (output and both gradients, including the kink
 * points), a scalar double reference at random points inside, on the border of and outside the map, and finite
 * differences in float64.
 */
public class BilinearSamplerTest {

    private static final Logger LOG = LoggerFactory.getLogger(BilinearSamplerTest.class);

    @Test
    public void matchesTorchGridSampleGolden() throws IOException {
        JsonNode g = Goldens.load("grid_sample.json");
        JsonNode tol = g.get("tolerance");
        double rtol = tol.get("rtol").asDouble();
        double atol = tol.get("atol").asDouble();
        double atolLoc = tol.get("atol_grad_loc").asDouble();
        JsonNode in = g.get("inputs");
        JsonNode out = g.get("outputs");
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray value = Goldens.array(m, in.get("value"));
            NDArray loc = Goldens.array(m, in.get("loc")); // [1, 1, 22, 2]
            NDArray gw = Goldens.array(m, in.get("grad_weights"));
            value.setRequiresGradient(true);
            loc.setRequiresGradient(true);
            NDArray y;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                y = BilinearSampler.sample(value, loc);
                gc.backward(y.mul(gw).sum());
            }
            assertEquals(y.getShape(), Goldens.shape(out.get("output")));
            double dOut = Goldens.assertClose(y.toFloatArray(), Goldens.floats(out.get("output")), atol, rtol,
                    "output");
            double dValue = Goldens.assertClose(value.getGradient().toFloatArray(),
                    Goldens.floats(out.get("grad_value")), atol, rtol, "grad_value");
            // includes the kink points, where torch's one-sided derivative (x0 = floor(ix)) is expected
            double dLoc = Goldens.assertClose(loc.getGradient().toFloatArray(), Goldens.floats(out.get("grad_loc")),
                    atolLoc, rtol, "grad_loc");
            LOG.info(String.format(Locale.ROOT, "grid_sample golden max abs diff: output %.3g, grad_value %.3g, "
                    + "grad_loc %.3g", dOut, dValue, dLoc));
            int kinks = 0;
            for (JsonNode k : g.get("kink")) {
                kinks += k.asBoolean() ? 1 : 0;
            }
            assertTrue(kinks >= 5, "the golden must cover kink points, has " + kinks);
        }
    }

    /** Random points: interior, exactly on borders and corners, just outside and far outside. */
    private static double[] points(Random r, int n, int p) {
        double[] loc = new double[n * p * 2];
        for (int i = 0; i < n * p; i++) {
            for (int a = 0; a < 2; a++) {
                double u = r.nextDouble();
                int kind = i % 4;
                loc[2 * i + a] = switch (kind) {
                    case 0 -> u; // inside
                    case 1 -> a == 0 ? (r.nextBoolean() ? 0.0 : 1.0) : u; // on a vertical border
                    case 2 -> -0.3 + 1.6 * u; // partly outside
                    default -> a == 0 ? 1.5 + u : u; // far outside
                };
            }
        }
        return loc;
    }

    @Test
    public void matchesScalarReferenceInFloat32AndFloat64() {
        int n = 2;
        int c = 3;
        int h = 5;
        int w = 7;
        int p = 40;
        Random r = new Random(11);
        double[] value = new double[n * c * h * w];
        for (int i = 0; i < value.length; i++) {
            value[i] = r.nextGaussian();
        }
        double[] loc = points(r, n, p);
        double[] expected = new double[n * c * p];
        for (int b = 0; b < n; b++) {
            for (int ch = 0; ch < c; ch++) {
                for (int i = 0; i < p; i++) {
                    int li = 2 * (b * p + i);
                    expected[(b * c + ch) * p + i] = ScalarBilinear.sample(value, (b * c + ch) * h * w, h, w,
                            loc[li], loc[li + 1]);
                }
            }
        }
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray v64 = m.create(value, new Shape(n, c, h, w));
            NDArray l64 = m.create(loc, new Shape(n, p, 2));
            NDArray y64 = BilinearSampler.sample(v64, l64);
            assertEquals(y64.getShape(), new Shape(n, c, p));
            assertEquals(y64.getDataType(), DataType.FLOAT64);
            Goldens.assertClose(y64.toDoubleArray(), expected, 1e-12, 1e-12, "float64");
            NDArray y32 = BilinearSampler.sample(v64.toType(DataType.FLOAT32, false),
                    l64.toType(DataType.FLOAT32, false));
            double[] got = new double[expected.length];
            float[] f = y32.toFloatArray();
            for (int i = 0; i < f.length; i++) {
                got[i] = f[i];
            }
            Goldens.assertClose(got, expected, 2e-6, 1e-5, "float32");
            // the [N, Hg, Wg, 2] form gives grid_sample's [N, C, Hg, Wg] layout with the same values
            NDArray y4 = BilinearSampler.sample(v64, l64.reshape(n, 4, p / 4, 2));
            assertEquals(y4.getShape(), new Shape(n, c, 4, p / 4));
            Goldens.assertClose(y4.toDoubleArray(), expected, 1e-12, 1e-12, "grid layout");
            // torch's grid convention
            NDArray yg = BilinearSampler.gridSample(v64, l64.mul(2).sub(1).reshape(n, 1, p, 2));
            Goldens.assertClose(yg.toDoubleArray(), expected, 1e-12, 1e-12, "gridSample");
        }
    }

    @Test
    public void gradientsMatchFiniteDifferencesInFloat64() {
        int n = 2;
        int c = 2;
        int h = 4;
        int w = 6;
        int p = 12;
        Random r = new Random(5);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray value = m.randomNormal(new Shape(n, c, h, w)).toType(DataType.FLOAT64, false);
            double[] loc = points(r, n, p);
            for (int i = 0; i < loc.length; i++) {
                int size = i % 2 == 0 ? w : h;
                double pix = loc[i] * size - 0.5;
                if (Math.abs(pix - Math.rint(pix)) < 1e-3) { // keep finite differences off the kinks
                    loc[i] += 0.01 / size;
                }
            }
            NDArray gw = m.randomNormal(new Shape(n, c, p)).toType(DataType.FLOAT64, false);
            NDArray locArr = m.create(loc, new Shape(n, p, 2));
            value.setRequiresGradient(true);
            locArr.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(BilinearSampler.sample(value, locArr).mul(gw).sum());
            }
            double[] gradLoc = locArr.getGradient().toDoubleArray();
            double[] gradValue = value.getGradient().toDoubleArray();
            double[] vals = value.toDoubleArray();
            double hStep = 1e-6;
            double[] fdLoc = new double[loc.length];
            for (int i = 0; i < loc.length; i++) {
                double[] plus = loc.clone();
                double[] minus = loc.clone();
                plus[i] += hStep;
                minus[i] -= hStep;
                fdLoc[i] = (loss(m, vals, plus, gw, n, c, h, w, p) - loss(m, vals, minus, gw, n, c, h, w, p))
                        / (2 * hStep);
            }
            double[] fdValue = new double[vals.length];
            for (int i = 0; i < vals.length; i++) {
                double[] plus = vals.clone();
                double[] minus = vals.clone();
                plus[i] += hStep;
                minus[i] -= hStep;
                fdValue[i] = (loss(m, plus, loc, gw, n, c, h, w, p) - loss(m, minus, loc, gw, n, c, h, w, p))
                        / (2 * hStep);
            }
            Goldens.assertClose(gradLoc, fdLoc, 1e-7, 1e-7, "loc gradient vs finite differences");
            Goldens.assertClose(gradValue, fdValue, 1e-8, 1e-7, "value gradient vs finite differences");
            double norm = 0;
            for (double v : gradLoc) {
                norm += Math.abs(v);
            }
            assertTrue(norm > 1, "loc gradient should not vanish: " + norm);
        }
    }

    private static double loss(NDManager m, double[] value, double[] loc, NDArray gw, int n, int c, int h, int w,
            int p) {
        try (NDManager sub = m.newSubManager()) {
            NDArray v = sub.create(value, new Shape(n, c, h, w));
            NDArray l = sub.create(loc, new Shape(n, p, 2));
            return BilinearSampler.sample(v, l).mul(gw).sum().getDouble();
        }
    }
}
