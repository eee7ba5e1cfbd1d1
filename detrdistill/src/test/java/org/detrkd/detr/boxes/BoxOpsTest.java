package org.detrkd.detr.boxes;

import static org.detrkd.detr.loss.GoldenTensors.assertClose;
import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import org.detrkd.detr.loss.DirectMemoryScribbler;
import org.detrkd.detr.loss.GoldenTensors;
import org.detrkd.detr.loss.ReferenceMath;
import org.testng.annotations.DataProvider;
import org.testng.annotations.Test;

/** {@link BoxOps} against {@code box_ops.json} (DETR util/box_ops.py) and against finite differences. */
public class BoxOpsTest {

    private static final JsonNode GOLDEN = GoldenTensors.load("box_ops.json");
    private static final double RTOL = GOLDEN.get("tolerance").get("rtol").asDouble();
    private static final double ATOL = GOLDEN.get("tolerance").get("atol").asDouble();

    @DataProvider
    public Object[][] cases() {
        return new Object[][] {{"designed"}, {"random"}};
    }

    @Test(dataProvider = "cases")
    public void conversionsMatchGolden(String name) {
        JsonNode c = GOLDEN.get("cases").get(name);
        try (NDManager m = NDManager.newBaseManager()) {
            assertClose(BoxOps.boxCxcywhToXyxy(GoldenTensors.array(m, c.get("boxes1"))), c.get("boxes1_xyxy"), RTOL,
                    ATOL, name + ".boxes1_xyxy");
            assertClose(BoxOps.boxCxcywhToXyxy(GoldenTensors.array(m, c.get("boxes2"))), c.get("boxes2_xyxy"), RTOL,
                    ATOL, name + ".boxes2_xyxy");
            assertClose(BoxOps.boxXyxyToCxcywh(GoldenTensors.array(m, c.get("boxes1_xyxy"))),
                    c.get("boxes1_xyxy_to_cxcywh"), RTOL, ATOL, name + ".boxes1_xyxy_to_cxcywh");
        }
    }

    @Test(dataProvider = "cases")
    public void iouUnionAndGiouMatchGolden(String name) {
        JsonNode c = GOLDEN.get("cases").get(name);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = GoldenTensors.array(m, c.get("boxes1_xyxy"));
            NDArray b = GoldenTensors.array(m, c.get("boxes2_xyxy"));
            try (BoxOps.IouAndUnion iu = BoxOps.boxIou(a, b)) {
                assertClose(iu.iou(), c.get("iou"), RTOL, ATOL, name + ".iou");
                assertClose(iu.union(), c.get("union"), RTOL, ATOL, name + ".union");
            }
            assertClose(BoxOps.generalizedBoxIou(a, b), c.get("giou"), RTOL, ATOL, name + ".giou");
        }
    }

    /** The matched-pairs form on every (i, j) pair equals the pairwise matrix. */
    @Test(dataProvider = "cases")
    public void elementwiseGiouMatchesPairwiseGolden(String name) {
        JsonNode c = GOLDEN.get("cases").get(name);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = GoldenTensors.array(m, c.get("boxes1_xyxy"));
            NDArray b = GoldenTensors.array(m, c.get("boxes2_xyxy"));
            long n = a.getShape().get(0);
            long k = b.getShape().get(0);
            NDArray rows = a.expandDims(1).broadcast(new Shape(n, k, 4)).reshape(n * k, 4); // pair i*M + j: boxes1[i]
            NDArray cols = b.tile(new long[] {n, 1}); // boxes2[j]
            NDArray g = BoxOps.elementwiseGeneralizedBoxIou(rows, cols);
            assertEquals(g.getShape(), new Shape(n * k));
            assertClose(g.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).toDoubleArray(),
                    GoldenTensors.values(c.get("giou")), RTOL, ATOL, name + ".elementwise giou");
        }
    }

    @Test(dataProvider = "cases")
    public void areaIsWidthTimesHeight(String name) {
        JsonNode c = GOLDEN.get("cases").get(name);
        double[] x = GoldenTensors.values(c.get("boxes1_xyxy"));
        double[] expected = new double[x.length / 4];
        for (int i = 0; i < expected.length; i++) {
            expected[i] = (x[4 * i + 2] - x[4 * i]) * (x[4 * i + 3] - x[4 * i + 1]);
        }
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray area = BoxOps.boxArea(GoldenTensors.array(m, c.get("boxes1_xyxy")));
            assertEquals(area.getShape(), new Shape(expected.length));
            assertClose(area.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).toDoubleArray(), expected, RTOL,
                    ATOL, name + ".area");
        }
    }

    /** d(sum of matched-pair GIoU)/d(cx,cy,w,h) against central differences of a float64 GIoU. */
    @Test
    public void giouGradientMatchesFiniteDifferences() {
        double[] p = {0.40, 0.45, 0.30, 0.20, 0.62, 0.50, 0.22, 0.36, 0.20, 0.72, 0.10, 0.30};
        double[] t = {0.45, 0.50, 0.25, 0.30, 0.40, 0.55, 0.30, 0.20, 0.60, 0.60, 0.20, 0.10};
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray pred = m.create(toFloat(p), new Shape(3, 4));
            NDArray tgt = m.create(toFloat(t), new Shape(3, 4));
            pred.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray g = BoxOps.elementwiseGeneralizedBoxIou(BoxOps.boxCxcywhToXyxy(pred),
                        BoxOps.boxCxcywhToXyxy(tgt)).sum();
                DirectMemoryScribbler.scribble(); // constants must not live in freed Java buffers
                gc.backward(g);
            }
            double[] grad = pred.getGradient().toType(ai.djl.ndarray.types.DataType.FLOAT64, false).toDoubleArray();
            double[] fd = new double[p.length];
            double h = 1e-6;
            for (int e = 0; e < p.length; e++) {
                double[] up = p.clone();
                double[] down = p.clone();
                up[e] += h;
                down[e] -= h;
                fd[e] = (sumGiou(up, t) - sumGiou(down, t)) / (2 * h);
            }
            assertClose(grad, fd, 1e-4, 1e-5, "d giou / d pred");
        }
    }

    @Test
    public void mismatchedShapesAreRejected() {
        try (NDManager m = NDManager.newBaseManager()) {
            IllegalArgumentException e = expectThrows(IllegalArgumentException.class,
                    () -> BoxOps.elementwiseGeneralizedBoxIou(m.zeros(new Shape(3, 4)), m.zeros(new Shape(2, 4))));
            assertEquals(e.getMessage(), "elementwise GIoU needs equal shapes, got (3, 4) and (2, 4)");
            e = expectThrows(IllegalArgumentException.class, () -> BoxOps.boxArea(m.zeros(new Shape(3, 5))));
            assertEquals(e.getMessage(), "boxes need a last axis of 4, got shape (3, 5)");
        }
    }

    /** Every public operation leaves exactly its results in the manager. */
    @Test
    public void intermediatesAreClosed() {
        JsonNode c = GOLDEN.get("cases").get("random");
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = GoldenTensors.array(m, c.get("boxes1_xyxy"));
            NDArray b = GoldenTensors.array(m, c.get("boxes2_xyxy"));
            int base = m.getManagedArrays().size();
            BoxOps.boxCxcywhToXyxy(a).close();
            BoxOps.boxXyxyToCxcywh(a).close();
            BoxOps.boxArea(a).close();
            BoxOps.boxIou(a, b).close();
            BoxOps.generalizedBoxIou(a, b).close();
            BoxOps.elementwiseGeneralizedBoxIou(a, a).close();
            assertEquals(m.getManagedArrays().size(), base);
            NDArray kept = BoxOps.generalizedBoxIou(a, b);
            assertEquals(m.getManagedArrays().size(), base + 1);
            assertTrue(m.getManagedArrays().contains(kept));
        }
    }

    private static double sumGiou(double[] p, double[] t) {
        double s = 0;
        for (int i = 0; i < p.length; i += 4) {
            s += ReferenceMath.giou(p, i, t, i);
        }
        return s;
    }

    private static float[] toFloat(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }
}
