package org.detrkd.detr.loss;

import static org.detrkd.detr.loss.GoldenTensors.assertClose;
import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertNotEquals;
import static org.testng.Assert.expectThrows;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.detrkd.detr.matching.BruteForceSolver;
import org.detrkd.detr.matching.HungarianMatcher;
import org.detrkd.detr.matching.HungarianMatcher.Match;
import org.detrkd.detr.matching.ImageTargets;
import org.testng.annotations.Test;

/** {@link SetCriterion} against {@code set_criterion.json} (Deformable-DETR SetCriterion), gradients, edge cases. */
public class SetCriterionTest {

    private static final JsonNode GOLDEN = GoldenTensors.load("set_criterion.json");
    private static final double RTOL = GOLDEN.get("tolerance").get("rtol").asDouble();
    private static final double ATOL = GOLDEN.get("tolerance").get("atol").asDouble();
    private static final JsonNode PRED = GOLDEN.get("inputs").get("outputs");
    private static final int Q = GOLDEN.get("num_queries").asInt();
    private static final int K = GOLDEN.get("num_classes").asInt();

    private static SetCriterion criterion() {
        return new SetCriterion(new HungarianMatcher(new BruteForceSolver()));
    }

    /** Golden predictions in the criterion's stage order: {aux_0, final}. */
    private static JsonNode[] stageNodes() {
        return new JsonNode[] {PRED.get("aux_outputs").get(0), PRED};
    }

    private static List<NDArray> inputs(NDManager m, String key) {
        List<NDArray> out = new ArrayList<>();
        for (JsonNode s : stageNodes()) {
            NDArray a = GoldenTensors.array(m, s.get(key));
            a.setRequiresGradient(true);
            out.add(a);
        }
        return out;
    }

    private static List<ImageTargets> targets(NDManager m) {
        List<ImageTargets> t = new ArrayList<>();
        for (JsonNode n : GOLDEN.get("inputs").get("targets")) {
            t.add(new ImageTargets(GoldenTensors.array(m, n.get("labels")), GoldenTensors.array(m, n.get("boxes"))));
        }
        return t;
    }

    private static ImageTargets empty(NDManager m) {
        return new ImageTargets(m.zeros(new Shape(0), DataType.INT64), m.zeros(new Shape(0, 4)));
    }

    private static double weightedTotal(Map<String, NDArray> losses) {
        double total = 0;
        for (Map.Entry<String, NDArray> e : losses.entrySet()) {
            total += SetCriterion.defaultWeight(e.getKey()) * e.getValue().getFloat();
        }
        return total;
    }

    @Test
    public void lossesIndicesAndWeightedTotalMatchGolden() {
        try (NDManager m = NDManager.newBaseManager()) {
            SetCriterion.Output out = criterion().forward(inputs(m, "pred_logits"), inputs(m, "pred_boxes"),
                    targets(m));
            JsonNode expected = GOLDEN.get("outputs").get("losses");
            assertEquals(List.copyOf(out.losses().keySet()), names(expected.fieldNames()));
            for (Map.Entry<String, NDArray> e : out.losses().entrySet()) {
                assertEquals(e.getValue().getShape(), new Shape(), e.getKey());
                assertClose(e.getValue().getFloat(), expected.get(e.getKey()).asDouble(), RTOL, ATOL,
                        "criterion." + e.getKey());
            }
            assertClose(weightedTotal(out.losses()), GOLDEN.get("outputs").get("weighted_total").asDouble(), RTOL, ATOL,
                    "criterion.weighted_total");
            String[] names = {"aux_0", "final"};
            for (int s = 0; s < 2; s++) {
                for (JsonNode img : GOLDEN.get("outputs").get("stages").get(names[s]).get("matching")) {
                    Match got = out.indices().get(s).get(img.get("image").asInt());
                    assertEquals(got.queries(), GoldenTensors.ints(img.get("src_query_idx")), names[s] + " queries");
                    assertEquals(got.targets(), GoldenTensors.ints(img.get("tgt_idx")), names[s] + " targets");
                }
            }
            assertEquals(out.finalIndices(), out.indices().get(1));
        }
    }

    @Test
    public void defaultWeightsMatchGoldenWeightDict() {
        Map<String, Double> expected = new LinkedHashMap<>();
        GOLDEN.get("weight_dict").fields().forEachRemaining(e -> expected.put(e.getKey(), e.getValue().asDouble()));
        assertEquals(SetCriterion.defaultWeights(2), expected);
        assertEquals(List.copyOf(SetCriterion.defaultWeights(2).keySet()), List.copyOf(expected.keySet()));
        assertEquals(SetCriterion.defaultWeight("loss_bbox_5"), 5.0);
        IllegalArgumentException e = expectThrows(IllegalArgumentException.class,
                () -> SetCriterion.defaultWeight("loss_mask"));
        assertEquals(e.getMessage(), "unknown loss term 'loss_mask'; known: [loss_ce, loss_bbox, loss_giou], each "
                + "optionally with a stage suffix _<k>");
    }

    /** The float64 reference, given the golden assignment, reproduces the golden terms (so it can judge new cases). */
    @Test
    public void float64ReferenceAgreesWithGolden() {
        JsonNode expected = GOLDEN.get("outputs").get("losses");
        String[] names = {"aux_0", "final"};
        String[] suffix = {"_0", ""};
        for (int s = 0; s < 2; s++) {
            int[][][] idx = goldenIndices(names[s]);
            double[] ref = reference(stageNodes()[s], false, idx[0], idx[1]);
            String[] terms = {"loss_ce", "loss_bbox", "loss_giou"};
            for (int i = 0; i < 3; i++) {
                assertClose(ref[i], expected.get(terms[i] + suffix[s]).asDouble(), RTOL, ATOL,
                        "float64 reference " + terms[i] + suffix[s]);
            }
        }
    }

    /**
     * Gradients of the weighted total: every logit gets one (focal loss covers all entries); box inputs of matched
     * queries get one, unmatched queries' box inputs get exactly 0; values match central differences of the
     * float64 reference at the same assignment.
     */
    @Test
    public void gradientsFlowToMatchedBoxesAndAllLogits() {
        try (NDManager m = NDManager.newBaseManager()) {
            List<NDArray> logits = inputs(m, "pred_logits");
            List<NDArray> boxes = inputs(m, "pred_boxes");
            SetCriterion.Output out;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                out = criterion().forward(logits, boxes, targets(m));
                NDArray total = null;
                for (Map.Entry<String, NDArray> e : out.losses().entrySet()) {
                    NDArray w = e.getValue().mul(weight(m, e.getKey()));
                    total = total == null ? w : total.add(w);
                }
                gc.backward(total);
            }
            String[] names = {"aux_0", "final"};
            for (int s = 0; s < 2; s++) {
                float[] gl = logits.get(s).getGradient().toFloatArray();
                for (int i = 0; i < gl.length; i++) {
                    assertNotEquals(gl[i], 0f, names[s] + " logit gradient " + i);
                }
                float[] gb = boxes.get(s).getGradient().toFloatArray();
                for (int b = 0; b < 2; b++) {
                    Match match = out.indices().get(s).get(b);
                    for (int q = 0; q < Q; q++) {
                        boolean matched = contains(match.queries(), q);
                        for (int c = 0; c < 4; c++) {
                            float g = gb[(b * Q + q) * 4 + c];
                            if (matched) {
                                assertNotEquals(g, 0f, names[s] + " box gradient of matched query " + q);
                            } else {
                                assertEquals(g, 0f, names[s] + " box gradient of unmatched query " + q);
                            }
                        }
                    }
                }
                checkFiniteDifferences(stageNodes()[s], goldenIndices(names[s]), gl, gb, names[s]);
            }
        }
    }

    /**
     * Arrays the criterion builds from host data (one-hot targets, pair indices) are saved by autograd for the
     * backward pass. The PyTorch engine wraps Java direct buffers without copying, so those arrays must be copies
     * owned by libtorch: here the Java side is made to free and overwrite its buffers between forward and backward,
     * and the gradients must still match finite differences.
     */
    @Test
    public void gradientsSurviveFreedHostBuffers() {
        try (NDManager m = NDManager.newBaseManager()) {
            List<NDArray> logits = inputs(m, "pred_logits");
            List<NDArray> boxes = inputs(m, "pred_boxes");
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                SetCriterion.Output out = criterion().forward(logits, boxes, targets(m));
                NDArray total = null;
                for (Map.Entry<String, NDArray> e : out.losses().entrySet()) {
                    NDArray w = e.getValue().mul(weight(m, e.getKey()));
                    total = total == null ? w : total.add(w);
                }
                DirectMemoryScribbler.scribble();
                gc.backward(total);
            }
            String[] names = {"aux_0", "final"};
            for (int s = 0; s < 2; s++) {
                checkFiniteDifferences(stageNodes()[s], goldenIndices(names[s]), logits.get(s).getGradient()
                        .toFloatArray(), boxes.get(s).getGradient().toFloatArray(), names[s] + " after scribbling");
            }
        }
    }

    /** Image 1 without targets: its queries are all negatives, image 0 keeps the golden matching, num_boxes = 3. */
    @Test
    public void imageWithoutTargets() {
        try (NDManager m = NDManager.newBaseManager()) {
            List<NDArray> logits = inputs(m, "pred_logits");
            List<NDArray> boxes = inputs(m, "pred_boxes");
            List<ImageTargets> t = List.of(targets(m).get(0), empty(m));
            SetCriterion.Output out;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                out = criterion().forward(logits, boxes, t);
                gc.backward(out.losses().get("loss_bbox").add(out.losses().get("loss_giou")));
            }
            String[] names = {"aux_0", "final"};
            String[] suffix = {"_0", ""};
            for (int s = 0; s < 2; s++) {
                int[][][] idx = goldenIndices(names[s]);
                assertEquals(out.indices().get(s).get(0).queries(), idx[0][0]);
                assertEquals(out.indices().get(s).get(1).size(), 0);
                double[] ref = reference(stageNodes()[s], true, new int[][] {idx[0][0], {}},
                        new int[][] {idx[1][0], {}});
                String[] terms = {"loss_ce", "loss_bbox", "loss_giou"};
                for (int i = 0; i < 3; i++) {
                    assertClose(out.losses().get(terms[i] + suffix[s]).getFloat(), ref[i], RTOL, ATOL,
                            "one empty image " + terms[i] + suffix[s]);
                }
                float[] gb = boxes.get(s).getGradient().toFloatArray();
                for (int e = Q * 4; e < 2 * Q * 4; e++) {
                    assertEquals(gb[e], 0f, "box gradient of the empty image");
                }
            }
        }
    }

    /** No targets at all: num_boxes clamps to 1, box terms are 0 with a zero gradient, loss_ce is all negatives. */
    @Test
    public void batchWithoutTargets() {
        try (NDManager m = NDManager.newBaseManager()) {
            List<NDArray> logits = inputs(m, "pred_logits");
            List<NDArray> boxes = inputs(m, "pred_boxes");
            SetCriterion.Output out;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                out = criterion().forward(logits, boxes, List.of(empty(m), empty(m)));
                NDArray total = out.losses().get("loss_ce").add(out.losses().get("loss_bbox"))
                        .add(out.losses().get("loss_giou"));
                gc.backward(total);
            }
            double[] x = GoldenTensors.values(PRED.get("pred_logits"));
            double ce = 0;
            for (double v : x) {
                ce += ReferenceMath.focal(v, 0);
            }
            assertClose(out.losses().get("loss_ce").getFloat(), ce, RTOL, ATOL, "no targets loss_ce");
            assertEquals(out.losses().get("loss_bbox").getFloat(), 0f);
            assertEquals(out.losses().get("loss_giou").getFloat(), 0f);
            for (float g : boxes.get(1).getGradient().toFloatArray()) {
                assertEquals(g, 0f, "box gradient without targets");
            }
        }
    }

    /** The per-term methods accept a given assignment (e.g. a teacher's) and agree with the reference for it. */
    @Test
    public void termsForAGivenAssignment() {
        try (NDManager m = NDManager.newBaseManager()) {
            List<NDArray> logits = inputs(m, "pred_logits");
            List<NDArray> boxes = inputs(m, "pred_boxes");
            List<ImageTargets> t = targets(m);
            SetCriterion criterion = criterion();
            List<Match> auxMatch = criterion.forward(logits, boxes, t).indices().get(0);
            // final-stage predictions scored with the aux stage's assignment
            NDArray ce = criterion.lossLabels(logits.get(1), t, auxMatch, SetCriterion.numBoxes(t));
            NDList box = criterion.lossBoxes(boxes.get(1), t, auxMatch, SetCriterion.numBoxes(t));
            int[][][] idx = goldenIndices("aux_0");
            double[] ref = reference(PRED, false, idx[0], idx[1]);
            assertClose(ce.getFloat(), ref[0], RTOL, ATOL, "given assignment loss_ce");
            assertClose(box.get(0).getFloat(), ref[1], RTOL, ATOL, "given assignment loss_bbox");
            assertClose(box.get(1).getFloat(), ref[2], RTOL, ATOL, "given assignment loss_giou");
        }
    }

    /**
     * After closing the output, the manager holds what it held before: no intermediate survives, with or without
     * autograd. (DJL's {@code GradientCollector.backward(loss)} itself leaves a ones array, the output gradient, in
     * the loss's manager; an NDScope around the call closes it.)
     */
    @Test
    public void noArrayLeaks() {
        try (NDManager m = NDManager.newBaseManager()) {
            List<NDArray> logits = inputs(m, "pred_logits");
            List<NDArray> boxes = inputs(m, "pred_boxes");
            List<ImageTargets> t = targets(m);
            SetCriterion criterion = criterion();
            int base = m.getManagedArrays().size();
            for (int step = 0; step < 3; step++) {
                try (GradientCollector gc = Engine.getInstance().newGradientCollector();
                        SetCriterion.Output out = criterion.forward(logits, boxes, t)) {
                    assertEquals(m.getManagedArrays().size(), base + 6, "only the six terms are new");
                    try (NDScope scope = new NDScope()) {
                        gc.backward(out.losses().get("loss_giou"));
                    }
                }
                assertEquals(m.getManagedArrays().size(), base, "after step " + step);
            }
        }
    }

    @Test
    public void rejectsLabelsOutsideTheClasses() {
        try (NDManager m = NDManager.newBaseManager()) {
            List<ImageTargets> t = List.of(targets(m).get(0), new ImageTargets(m.create(new long[] {K}),
                    m.create(new float[] {0.5f, 0.5f, 0.2f, 0.2f}, new Shape(1, 4))));
            IllegalArgumentException e = expectThrows(IllegalArgumentException.class,
                    () -> criterion().forward(inputs(m, "pred_logits"), inputs(m, "pred_boxes"), t));
            assertEquals(e.getMessage(), "target label 4 of image 1 is outside [0, 4)");
        }
    }

    // ---- helpers -----------------------------------------------------------------------------------------------

    /** {queries per image, targets per image} of a golden stage. */
    private static int[][][] goldenIndices(String stage) {
        int[][] qs = new int[2][];
        int[][] ts = new int[2][];
        for (JsonNode img : GOLDEN.get("outputs").get("stages").get(stage).get("matching")) {
            qs[img.get("image").asInt()] = GoldenTensors.ints(img.get("src_query_idx"));
            ts[img.get("image").asInt()] = GoldenTensors.ints(img.get("tgt_idx"));
        }
        return new int[][][] {qs, ts};
    }

    /** Float64 terms of a golden stage for an assignment, optionally with image 1's targets removed. */
    private static double[] reference(JsonNode stage, boolean dropImage1, int[][] queries, int[][] tgts) {
        return reference(GoldenTensors.values(stage.get("pred_logits")), GoldenTensors.values(stage.get("pred_boxes")),
                dropImage1, queries, tgts);
    }

    private static double[] reference(double[] logits, double[] boxes, boolean dropImage1, int[][] queries,
            int[][] tgts) {
        int[][] labels = new int[2][];
        double[][] tboxes = new double[2][];
        for (int b = 0; b < 2; b++) {
            JsonNode n = GOLDEN.get("inputs").get("targets").get(b);
            boolean keep = b == 0 || !dropImage1;
            labels[b] = keep ? GoldenTensors.ints(n.get("labels")) : new int[0];
            tboxes[b] = keep ? GoldenTensors.values(n.get("boxes")) : new double[0];
        }
        return ReferenceMath.stageLosses(logits, boxes, Q, K, labels, tboxes, queries, tgts);
    }

    private static void checkFiniteDifferences(JsonNode stage, int[][][] idx, float[] gl, float[] gb, String name) {
        double[] x = GoldenTensors.values(stage.get("pred_logits"));
        double[] bx = GoldenTensors.values(stage.get("pred_boxes"));
        double h = 1e-6;
        double[] fdl = new double[x.length];
        double[] fdb = new double[bx.length];
        for (int i = 0; i < x.length; i++) {
            double[] up = x.clone();
            double[] down = x.clone();
            up[i] += h;
            down[i] -= h;
            fdl[i] = (weighted(reference(up, bx, false, idx[0], idx[1])) - weighted(reference(down, bx, false, idx[0],
                    idx[1]))) / (2 * h);
        }
        for (int i = 0; i < bx.length; i++) {
            double[] up = bx.clone();
            double[] down = bx.clone();
            up[i] += h;
            down[i] -= h;
            fdb[i] = (weighted(reference(x, up, false, idx[0], idx[1])) - weighted(reference(x, down, false, idx[0],
                    idx[1]))) / (2 * h);
        }
        assertClose(toDouble(gl), fdl, 1e-4, 1e-5, name + " d total / d logits");
        assertClose(toDouble(gb), fdb, 1e-4, 1e-5, name + " d total / d boxes");
    }

    /**
     * The weight as a libtorch-owned 0-d array: {@code loss.mul(2f)} would keep a Java buffer in the graph that may be
     * freed before backward (see {@link #gradientsSurviveFreedHostBuffers}).
     */
    private static NDArray weight(NDManager m, String term) {
        return m.full(new Shape(), (float) SetCriterion.defaultWeight(term));
    }

    private static double weighted(double[] terms) {
        return 2 * terms[0] + 5 * terms[1] + 2 * terms[2];
    }

    private static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    private static boolean contains(int[] a, int v) {
        for (int x : a) {
            if (x == v) {
                return true;
            }
        }
        return false;
    }

    private static <T> List<T> names(Iterator<T> it) {
        List<T> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }
}
