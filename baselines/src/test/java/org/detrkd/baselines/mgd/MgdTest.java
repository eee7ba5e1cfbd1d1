package org.detrkd.baselines.mgd;

import static org.detrkd.baselines.fitnet.KdTestSupport.array;
import static org.detrkd.baselines.fitnet.KdTestSupport.assertAllClose;
import static org.detrkd.baselines.fitnet.KdTestSupport.assertClose;
import static org.detrkd.baselines.fitnet.KdTestSupport.doubles;
import static org.detrkd.baselines.fitnet.KdTestSupport.floats;
import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;

import com.fasterxml.jackson.databind.JsonNode;

import org.detrkd.baselines.fitnet.KdTestSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.Test;

import java.io.IOException;
import java.util.List;

/**
 * MGD against {@code reference/goldens/mgd.json} (yzd-v/MGD 2c9da0b, explicit mask and generator weights; atol 1e-5 +
 * rtol 1e-5), plus gradient flow, the random mask ratio and the memory check.
 */
public class MgdTest {

    private static final Logger LOG = LoggerFactory.getLogger(MgdTest.class);
    private static final double RTOL = 1e-5;
    private static final double ATOL = 1e-5;

    private JsonNode golden;

    @BeforeClass
    public void load() throws IOException {
        golden = KdTestSupport.golden("mgd.json");
        assertEquals(golden.get("tolerance").get("rtol").asDouble(), RTOL);
    }

    private Mgd goldenBlock(NDManager m) {
        JsonNode in = golden.get("inputs");
        Mgd mgd = Mgd.builder().setStudentChannels(8).setTeacherChannels(8)
                .optSettings(new MgdSettings(golden.get("alpha_mgd").asDouble(), golden.get("lambda_mgd").asDouble()))
                .build();
        assertEquals(mgd.settings(), MgdSettings.DEFAULT, "golden hyper-parameters are the official defaults");
        mgd.initialize(m, DataType.FLOAT32);
        for (int k = 0; k < 2; k++) {
            var conv = mgd.generator(0).conv(k).conv();
            KdTestSupport.set(conv.getParameters().get("weight"), floats(in.get("gen_conv" + (k + 1) + "_w")));
            KdTestSupport.set(conv.getParameters().get("bias"), floats(in.get("gen_conv" + (k + 1) + "_b")));
        }
        return mgd;
    }

    @Test
    public void matchesGolden() {
        try (NDManager m = NDManager.newBaseManager()) {
            Mgd mgd = goldenBlock(m);
            JsonNode in = golden.get("inputs");
            NDArray s = array(m, in.get("preds_S"));
            NDArray mask = array(m, in.get("mask"));
            ParameterStore ps = new ParameterStore(m, false);
            double worst = assertAllClose(mgd.generator(0).apply(ps, s.mul(mask), true).toFloatArray(),
                    doubles(golden.get("intermediates").get("new_fea")), RTOL, ATOL, "new_fea");
            var terms = mgd.losses(ps, List.of(s), List.of(array(m, in.get("preds_T"))), List.of(mask), true);
            double dis = terms.get(Mgd.LOSS).getFloat();
            double expected = golden.get("outputs").get("dis_loss").asDouble();
            assertClose(dis, expected, RTOL, ATOL, "dis_loss");
            double loss = mgd.settings().weightDict().get(Mgd.LOSS) * dis;
            assertClose(loss, golden.get("outputs").get("loss").asDouble(), RTOL, ATOL, "loss");
            LOG.info("mgd new_fea max abs diff {}; dis_loss {} vs {} (rel {}); loss {} vs {}", worst, dis, expected,
                    Math.abs(dis - expected) / expected, loss, golden.get("outputs").get("loss").asDouble());
        }
    }

    @Test
    public void randomMaskDropsAboutLambda() {
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(7);
            Mgd mgd = Mgd.builder().setStudentChannels(2).setTeacherChannels(2).build();
            NDArray mask = mgd.randomMask(m.zeros(new Shape(4, 2, 50, 50)));
            assertEquals(mask.getShape(), new Shape(4, 1, 50, 50));
            float[] v = mask.toFloatArray();
            int dropped = 0;
            for (float f : v) {
                assertTrue(f == 0f || f == 1f);
                dropped += f == 0f ? 1 : 0;
            }
            double ratio = dropped / (double) v.length; // 10000 draws: standard error 0.005
            assertTrue(Math.abs(ratio - 0.65) < 0.03, "dropped fraction " + ratio);
        }
    }

    private static List<NDArray> feats(NDManager m, int c0, double phase) {
        return List.of(KdTestSupport.waveArray(m, new Shape(2, c0, 3, 3), phase, 1.0),
                KdTestSupport.waveArray(m, new Shape(2, 4, 2, 2), phase + 2, 1.5));
    }

    @Test
    public void gradientsReachAlignGeneratorAndStudentOnly() {
        try (NDManager m = NDManager.newBaseManager()) {
            Mgd mgd = Mgd.builder().setStudentChannels(3, 4).setTeacherChannels(4, 4).build();
            mgd.initialize(m, DataType.FLOAT32);
            ParameterStore ps = new ParameterStore(m, false);
            List<NDArray> masks = List.of(m.create(new float[] {1, 0, 1, 1, 0, 1, 0, 1, 1, 0, 1, 1, 1, 0, 0, 1, 1, 1},
                    new Shape(2, 1, 3, 3)), m.ones(new Shape(2, 1, 2, 2)));
            KdTestSupport.assertGradientFlow(mgd, feats(m, 3, 0.3), feats(m, 4, 0.9),
                    a -> mgd.losses(ps, a[0], a[1], masks, true), "align0", "generation0", "generation1");
        }
    }

    @Test
    public void modelManagerStaysFlat() {
        try (NDManager m = NDManager.newBaseManager()) {
            Mgd mgd = Mgd.builder().setStudentChannels(3, 4).setTeacherChannels(4, 4).build();
            mgd.initialize(m, DataType.FLOAT32);
            ParameterStore ps = new ParameterStore(m, false);
            int[] sizes = new int[3];
            for (int step = 0; step < 3; step++) {
                try (NDManager batch = m.newSubManager()) {
                    KdTestSupport.assertGradientFlow(mgd, feats(batch, 3, step), feats(batch, 4, step + 0.5),
                            a -> mgd.losses(ps, a[0], a[1], true));
                }
                sizes[step] = m.getManagedArrays().size();
            }
            assertEquals(sizes[2], sizes[1], "arrays left on the model manager");
        }
    }
}
