package org.detrkd.detr.matching;

import static org.detrkd.detr.loss.GoldenTensors.assertClose;
import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.expectThrows;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.detrkd.detr.loss.GoldenTensors;
import org.testng.annotations.DataProvider;
import org.testng.annotations.Test;

/** {@link HungarianMatcher}: golden cost matrices and matches, a case readable by eye, edge cases. */
public class HungarianMatcherTest {

    private static final JsonNode GOLDEN = GoldenTensors.load("set_criterion.json");
    private static final double RTOL = GOLDEN.get("tolerance").get("rtol").asDouble();
    private static final double ATOL = GOLDEN.get("tolerance").get("atol").asDouble();

    /** Golden inputs of one stage: {logits, boxes}. */
    static NDArray[] stage(NDManager m, String stage) {
        JsonNode out = GOLDEN.get("inputs").get("outputs");
        JsonNode s = "final".equals(stage) ? out : out.get("aux_outputs").get(0);
        return new NDArray[] {GoldenTensors.array(m, s.get("pred_logits")),
            GoldenTensors.array(m, s.get("pred_boxes"))};
    }

    static List<ImageTargets> targets(NDManager m) {
        List<ImageTargets> t = new ArrayList<>();
        for (JsonNode n : GOLDEN.get("inputs").get("targets")) {
            t.add(new ImageTargets(GoldenTensors.array(m, n.get("labels")), GoldenTensors.array(m, n.get("boxes"))));
        }
        return t;
    }

    @DataProvider
    public Object[][] stages() {
        return new Object[][] {{"final"}, {"aux_0"}};
    }

    @Test(dataProvider = "stages")
    public void costBlocksMatchGolden(String stage) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray[] p = stage(m, stage);
            List<ImageTargets> t = targets(m);
            NDArray cost = new HungarianMatcher(new BruteForceSolver()).costMatrix(p[0], p[1], t);
            int q = GOLDEN.get("num_queries").asInt();
            assertEquals(cost.getShape(), new Shape(2L * q, 4));
            int col = 0;
            for (JsonNode img : GOLDEN.get("outputs").get("stages").get(stage).get("matching")) {
                int i = img.get("image").asInt();
                int n = t.get(i).size();
                NDArray block = cost.get(new NDIndex().addSliceDim(i * q, (i + 1) * q).addSliceDim(col, col + n));
                assertClose(block, img.get("cost_matrix"), RTOL, ATOL, stage + ".cost_matrix[" + i + "]");
                col += n;
            }
        }
    }

    @Test(dataProvider = "stages")
    public void matchesMatchGolden(String stage) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray[] p = stage(m, stage);
            BruteForceSolver solver = new BruteForceSolver();
            List<HungarianMatcher.Match> got = new HungarianMatcher(solver).match(p[0], p[1], targets(m));
            assertEquals(solver.calls, 2);
            for (JsonNode img : GOLDEN.get("outputs").get("stages").get(stage).get("matching")) {
                HungarianMatcher.Match g = got.get(img.get("image").asInt());
                assertEquals(g.queries(), GoldenTensors.ints(img.get("src_query_idx")), stage + " queries");
                assertEquals(g.targets(), GoldenTensors.ints(img.get("tgt_idx")), stage + " targets");
            }
        }
    }

    /**
     * Four queries, two targets. Query 1 sits exactly on target 1 (class 0) and says class 0; query 3 sits exactly on
     * target 0 (class 2) and says class 2; queries 0 and 2 are elsewhere and say "nothing". So queries [1, 3] take
     * targets [1, 0], reported in query order.
     */
    @Test
    public void obviousCase() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray logits = m.create(new float[] {-5, -5, -5, 4, -4, -4, -5, -5, -5, -4, -4, 4}, new Shape(1, 4, 3));
            NDArray boxes = m.create(new float[] {0.5f, 0.5f, 0.1f, 0.1f, 0.75f, 0.75f, 0.3f, 0.3f, 0.9f, 0.1f, 0.1f,
                0.1f, 0.25f, 0.25f, 0.2f, 0.2f}, new Shape(1, 4, 4));
            ImageTargets t = new ImageTargets(m.create(new long[] {2, 0}),
                    m.create(new float[] {0.25f, 0.25f, 0.2f, 0.2f, 0.75f, 0.75f, 0.3f, 0.3f}, new Shape(2, 4)));
            List<HungarianMatcher.Match> got = new HungarianMatcher(new BruteForceSolver()).match(logits, boxes,
                    List.of(t));
            assertEquals(got, List.of(new HungarianMatcher.Match(new int[] {1, 3}, new int[] {1, 0})));
        }
    }

    /** An image without targets gets an empty match, the solver is not asked, and the other image is unaffected. */
    @Test
    public void imageWithoutTargets() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray[] p = stage(m, "final");
            List<ImageTargets> full = targets(m);
            List<ImageTargets> t = List.of(full.get(0), new ImageTargets(m.zeros(new Shape(0), ai.djl.ndarray.types
                    .DataType.INT64), m.zeros(new Shape(0, 4))));
            BruteForceSolver solver = new BruteForceSolver();
            List<HungarianMatcher.Match> got = new HungarianMatcher(solver).match(p[0], p[1], t);
            assertEquals(solver.calls, 1);
            assertEquals(got.get(0), new HungarianMatcher(new BruteForceSolver()).match(p[0], p[1], full).get(0));
            assertEquals(got.get(1).size(), 0);
            List<ImageTargets> none = List.of(t.get(1), t.get(1));
            BruteForceSolver unused = new BruteForceSolver();
            List<HungarianMatcher.Match> empty = new HungarianMatcher(unused).match(p[0], p[1], none);
            assertEquals(unused.calls, 0);
            assertEquals(empty.get(0).size() + empty.get(1).size(), 0);
        }
    }

    /** More targets than queries: every query is matched once, in query order, and the solver saw a [Q, n] block. */
    @Test
    public void moreTargetsThanQueries() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray logits = m.create(new float[] {-3, 3, 3, -3}, new Shape(1, 2, 2));
            NDArray boxes = m.create(new float[] {0.7f, 0.7f, 0.2f, 0.2f, 0.2f, 0.2f, 0.2f, 0.2f}, new Shape(1, 2, 4));
            ImageTargets t = new ImageTargets(m.create(new long[] {0, 0, 1}), m.create(new float[] {0.5f, 0.5f, 0.9f,
                0.9f, 0.2f, 0.2f, 0.2f, 0.2f, 0.7f, 0.7f, 0.2f, 0.2f}, new Shape(3, 4)));
            BruteForceSolver solver = new BruteForceSolver();
            List<HungarianMatcher.Match> got = new HungarianMatcher(solver).match(logits, boxes, List.of(t));
            assertEquals(solver.lastRows, 2);
            assertEquals(solver.lastCols, 3);
            assertEquals(got.get(0), new HungarianMatcher.Match(new int[] {0, 1}, new int[] {2, 1}));
        }
    }

    /** The cost is detached from the graph, and matching leaves nothing behind in the manager. */
    @Test
    public void noGradientAndNoLeak() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray[] p = stage(m, "final");
            List<ImageTargets> t = targets(m);
            p[0].setRequiresGradient(true);
            p[1].setRequiresGradient(true);
            HungarianMatcher matcher = new HungarianMatcher(new BruteForceSolver());
            int base = m.getManagedArrays().size();
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                try (NDArray cost = matcher.costMatrix(p[0], p[1], t)) {
                    assertFalse(cost.hasGradient());
                }
                matcher.match(p[0], p[1], t);
            }
            assertEquals(m.getManagedArrays().size(), base);
        }
    }

    @Test
    public void rejectsMismatchedBatch() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray[] p = stage(m, "final");
            List<ImageTargets> t = targets(m).subList(0, 1);
            HungarianMatcher matcher = new HungarianMatcher(new BruteForceSolver());
            IllegalArgumentException e = expectThrows(IllegalArgumentException.class,
                    () -> matcher.match(p[0], p[1], t));
            assertEquals(e.getMessage(), "batch of 2 predictions but 1 targets");
        }
    }
}
