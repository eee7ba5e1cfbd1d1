package org.detrkd.detr.loss;

import static org.detrkd.detr.loss.GoldenTensors.assertClose;
import static org.testng.Assert.assertEquals;
import static org.testng.Assert.expectThrows;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import org.testng.annotations.Test;

/** {@link FocalLoss} against {@code focal_loss.json} (Deformable-DETR sigmoid_focal_loss). */
public class FocalLossTest {

    private static final JsonNode GOLDEN = GoldenTensors.load("focal_loss.json");
    private static final double RTOL = GOLDEN.get("tolerance").get("rtol").asDouble();
    private static final double ATOL = GOLDEN.get("tolerance").get("atol").asDouble();
    private static final JsonNode OUT = GOLDEN.get("outputs");
    private static final float ALPHA = (float) GOLDEN.get("alpha").asDouble();
    private static final float GAMMA = (float) GOLDEN.get("gamma").asDouble();
    private static final float NUM_BOXES = (float) GOLDEN.get("num_boxes").asDouble();

    @Test
    public void elementwiseTermsMatchGolden() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = GoldenTensors.array(m, GOLDEN.get("inputs").get("logits"));
            NDArray t = GoldenTensors.array(m, GOLDEN.get("inputs").get("targets"));
            assertClose(FocalLoss.binaryCrossEntropyWithLogits(x, t), OUT.get("ce"), RTOL, ATOL, "focal.ce");
            NDArray loss = FocalLoss.sigmoidFocalLossElementwise(x, t, ALPHA, GAMMA);
            assertClose(loss, OUT.get("loss_elementwise"), RTOL, ATOL, "focal.loss_elementwise");
            assertClose(loss.sum().getFloat(), OUT.get("sum").asDouble(), RTOL, ATOL, "focal.sum");
        }
    }

    @Test
    public void reducedFormsMatchGolden() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = GoldenTensors.array(m, GOLDEN.get("inputs").get("logits"));
            NDArray t = GoldenTensors.array(m, GOLDEN.get("inputs").get("targets"));
            NDArray reduced = FocalLoss.sigmoidFocalLoss(x, t, NUM_BOXES);
            assertEquals(reduced.getShape(), new Shape());
            assertClose(reduced.getFloat(), OUT.get("sigmoid_focal_loss").asDouble(), RTOL, ATOL,
                    "focal.sigmoid_focal_loss");
            long q = x.getShape().get(1);
            assertClose(reduced.mul(q).getFloat(), OUT.get("loss_ce_deformable_detr").asDouble(), RTOL, ATOL,
                    "focal.loss_ce_deformable_detr");
        }
    }

    /**
     * The stable form is closer to the exact value than torch's float32 result: at logit -9.5 the golden {@code ce}
     * is 4.6e-7 below the exact 7.4849e-5 (inside the golden tolerance); ours agrees with float64 to 1e-9 there.
     */
    @Test
    public void crossEntropyIsAccurateForLargeLogits() {
        double[] x = GoldenTensors.values(GOLDEN.get("inputs").get("logits"));
        double[] t = GoldenTensors.values(GOLDEN.get("inputs").get("targets"));
        double[] exact = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            exact[i] = Math.max(x[i], 0) - x[i] * t[i] + Math.log1p(Math.exp(-Math.abs(x[i])));
        }
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray ce = FocalLoss.binaryCrossEntropyWithLogits(GoldenTensors.array(m, GOLDEN.get("inputs")
                    .get("logits")), GoldenTensors.array(m, GOLDEN.get("inputs").get("targets")));
            assertClose(ce.toType(DataType.FLOAT64, false).toDoubleArray(), exact, 2e-7, 1e-9, "focal.ce vs float64");
        }
    }

    /** The float64 definition agrees with the golden elementwise loss too (checks the second reference). */
    @Test
    public void float64ReferenceAgreesWithGolden() {
        double[] x = GoldenTensors.values(GOLDEN.get("inputs").get("logits"));
        double[] t = GoldenTensors.values(GOLDEN.get("inputs").get("targets"));
        double[] ref = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            ref[i] = ReferenceMath.focal(x[i], t[i]);
        }
        assertClose(ref, GoldenTensors.values(OUT.get("loss_elementwise")), 2e-5, ATOL, "focal.float64 reference");
    }

    /** d(reduced loss)/d logits against central differences of the float64 definition (sum / Q / num_boxes). */
    @Test
    public void gradientMatchesFiniteDifferences() {
        double[] x = GoldenTensors.values(GOLDEN.get("inputs").get("logits"));
        double[] t = GoldenTensors.values(GOLDEN.get("inputs").get("targets"));
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray logits = GoldenTensors.array(m, GOLDEN.get("inputs").get("logits"));
            NDArray targets = GoldenTensors.array(m, GOLDEN.get("inputs").get("targets"));
            logits.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray loss = FocalLoss.sigmoidFocalLoss(logits, targets, NUM_BOXES);
                DirectMemoryScribbler.scribble(); // constants must not live in freed Java buffers
                gc.backward(loss);
            }
            double[] grad = logits.getGradient().toType(DataType.FLOAT64, false).toDoubleArray();
            double[] fd = new double[x.length];
            double h = 1e-5;
            long q = logits.getShape().get(1);
            for (int i = 0; i < x.length; i++) {
                fd[i] = (ReferenceMath.focal(x[i] + h, t[i]) - ReferenceMath.focal(x[i] - h, t[i])) / (2 * h) / q
                        / NUM_BOXES;
            }
            assertClose(grad, fd, 1e-4, 1e-6, "focal.d loss / d logits");
        }
    }

    @Test
    public void intermediatesAreClosedAndShapesChecked() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = GoldenTensors.array(m, GOLDEN.get("inputs").get("logits"));
            NDArray t = GoldenTensors.array(m, GOLDEN.get("inputs").get("targets"));
            int base = m.getManagedArrays().size();
            FocalLoss.sigmoidFocalLoss(x, t, NUM_BOXES).close();
            FocalLoss.binaryCrossEntropyWithLogits(x, t).close();
            assertEquals(m.getManagedArrays().size(), base);
            IllegalArgumentException e = expectThrows(IllegalArgumentException.class,
                    () -> FocalLoss.sigmoidFocalLossElementwise(x, t.get("0"), ALPHA, GAMMA));
            assertEquals(e.getMessage(), "logits (2, 5, 4) and targets (5, 4) must have the same shape");
        }
    }
}
