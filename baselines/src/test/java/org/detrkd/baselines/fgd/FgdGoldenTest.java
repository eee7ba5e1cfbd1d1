package org.detrkd.baselines.fgd;

import static org.detrkd.baselines.fitnet.KdTestSupport.array;
import static org.detrkd.baselines.fitnet.KdTestSupport.assertAllClose;
import static org.detrkd.baselines.fitnet.KdTestSupport.assertClose;
import static org.detrkd.baselines.fitnet.KdTestSupport.doubles;
import static org.detrkd.baselines.fitnet.KdTestSupport.floats;
import static org.testng.Assert.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;

import com.fasterxml.jackson.databind.JsonNode;

import org.detrkd.baselines.fitnet.KdTestSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * FGD against {@code reference/goldens/fgd.json} (yzd-v/FGD c03a6cf {@code FeatureLoss.forward}, RetinaNet
 * hyper-parameters, fixed GcBlock weights): attentions, masks, box cells, GcBlock outputs, the four terms, the weighted
 * loss and the relation term under the official zero-initialised last convolution; tolerance atol 1e-5 + rtol 1e-5.
 */
public class FgdGoldenTest {

    private static final Logger LOG = LoggerFactory.getLogger(FgdGoldenTest.class);
    private static final double RTOL = 1e-5;
    private static final double ATOL = 1e-5;

    private JsonNode golden;

    @BeforeClass
    public void load() throws IOException {
        golden = KdTestSupport.golden("fgd.json");
        assertEquals(golden.get("tolerance").get("rtol").asDouble(), RTOL);
        assertEquals(golden.get("tolerance").get("atol").asDouble(), ATOL);
    }

    private List<GtBoxes> targets() {
        JsonNode in = golden.get("inputs");
        List<GtBoxes> out = new ArrayList<>();
        for (int i = 0; i < in.get("gt_bboxes").size(); i++) {
            JsonNode hw = in.get("img_shape_hw").get(i);
            out.add(new GtBoxes(floats(in.get("gt_bboxes").get(i)), hw.get(0).asInt(), hw.get(1).asInt()));
        }
        return out;
    }

    private static void load(GcBlock gc, JsonNode p) {
        KdTestSupport.set(gc.conv("conv_mask").getParameters().get("weight"), floats(p.get("conv_mask_w")));
        KdTestSupport.set(gc.conv("conv_mask").getParameters().get("bias"), floats(p.get("conv_mask_b")));
        KdTestSupport.set(gc.conv("conv1").getParameters().get("weight"), floats(p.get("conv1_w")));
        KdTestSupport.set(gc.conv("conv1").getParameters().get("bias"), floats(p.get("conv1_b")));
        KdTestSupport.set(gc.lnWeight(), floats(p.get("ln_w")));
        KdTestSupport.set(gc.lnBias(), floats(p.get("ln_b")));
        KdTestSupport.set(gc.conv("conv2").getParameters().get("weight"), floats(p.get("conv2_w")));
        KdTestSupport.set(gc.conv("conv2").getParameters().get("bias"), floats(p.get("conv2_b")));
    }

    private Fgd build(NDManager m) {
        JsonNode hp = golden.get("hyperparameters");
        FgdSettings settings = new FgdSettings(hp.get("temp").asDouble(), hp.get("alpha_fgd").asDouble(),
                hp.get("beta_fgd").asDouble(), hp.get("gamma_fgd").asDouble(), hp.get("lambda_fgd").asDouble());
        assertEquals(settings, FgdSettings.DEFAULT, "golden hyper-parameters are the official defaults");
        Fgd fgd = Fgd.builder().setStudentChannels(8).setTeacherChannels(8).optSettings(settings).build();
        fgd.initialize(m, DataType.FLOAT32);
        load(fgd.gcBlock(0, false), golden.get("inputs").get("gcblock_student"));
        load(fgd.gcBlock(0, true), golden.get("inputs").get("gcblock_teacher"));
        return fgd;
    }

    private void check(NDArray actual, String intermediate) {
        double worst = assertAllClose(actual.toFloatArray(), doubles(golden.get("intermediates").get(intermediate)),
                RTOL, ATOL, intermediate);
        LOG.info("fgd {}: max abs diff {}", intermediate, worst);
    }

    @Test
    public void attentionsMatch() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray s = array(m, golden.get("inputs").get("preds_S"));
            NDArray t = array(m, golden.get("inputs").get("preds_T"));
            check(FeatureAttention.spatial(t, 0.5), "S_attention_t");
            check(FeatureAttention.channel(t, 0.5), "C_attention_t");
            check(FeatureAttention.spatial(s, 0.5), "S_attention_s");
            check(FeatureAttention.channel(s, 0.5), "C_attention_s");
        }
    }

    @Test
    public void masksAndBoxCellsMatch() {
        FgdMasks masks = FgdMasks.compute(targets(), 6, 6);
        JsonNode cells = golden.get("intermediates").get("box_cells");
        String[] keys = {"wmin", "wmax", "hmin", "hmax"};
        for (int i = 0; i < cells.size(); i++) {
            for (int k = 0; k < 4; k++) {
                double[] expected = doubles(cells.get(i).get(keys[k]));
                for (int j = 0; j < expected.length; j++) {
                    assertEquals(masks.cells().get(i)[j][k], (int) expected[j],
                            "image " + i + " box " + j + " " + keys[k]);
                }
            }
        }
        assertAllClose(masks.foreground(), doubles(golden.get("intermediates").get("Mask_fg")), 0, 0, "Mask_fg");
        double worst = assertAllClose(masks.background(), doubles(golden.get("intermediates").get("Mask_bg")), RTOL,
                ATOL, "Mask_bg");
        LOG.info("fgd Mask_fg exact, Mask_bg max abs diff {}", worst);
    }

    @Test
    public void gcBlockOutputsMatch() {
        try (NDManager m = NDManager.newBaseManager()) {
            Fgd fgd = build(m);
            ParameterStore ps = new ParameterStore(m, false);
            check(fgd.gcBlock(0, false).apply(ps, array(m, golden.get("inputs").get("preds_S")), false), "rela_out_S");
            check(fgd.gcBlock(0, true).apply(ps, array(m, golden.get("inputs").get("preds_T")), false), "rela_out_T");
        }
    }

    @Test
    public void lossesMatch() {
        try (NDManager m = NDManager.newBaseManager()) {
            Fgd fgd = build(m);
            Map<String, NDArray> terms = fgd.losses(new ParameterStore(m, false),
                    List.of(array(m, golden.get("inputs").get("preds_S"))),
                    List.of(array(m, golden.get("inputs").get("preds_T"))), targets(), true);
            JsonNode out = golden.get("outputs");
            String[][] names = {{Fgd.LOSS_FG, "fg_loss"}, {Fgd.LOSS_BG, "bg_loss"}, {Fgd.LOSS_MASK, "mask_loss"},
                {Fgd.LOSS_RELA, "rela_loss"}};
            double weighted = 0;
            for (String[] n : names) {
                double actual = terms.get(n[0]).getFloat();
                double expected = out.get(n[1]).asDouble();
                assertClose(actual, expected, RTOL, ATOL, n[1]);
                LOG.info("fgd {}: {} vs {} (rel diff {})", n[1], actual, expected,
                        Math.abs(actual - expected) / Math.abs(expected));
                weighted += fgd.settings().weightDict().get(n[0]) * actual;
            }
            assertEquals(terms.keySet().size(), 4);
            assertClose(weighted, out.get("loss").asDouble(), RTOL, ATOL, "weighted loss");
            LOG.info("fgd loss: {} vs {}", weighted, out.get("loss").asDouble());
        }
    }

    @Test
    public void relationUnderOfficialInitIsPlainSquaredError() {
        try (NDManager m = NDManager.newBaseManager()) {
            Fgd fgd = build(m);
            for (boolean teacher : new boolean[] {false, true}) {
                GcBlock gc = fgd.gcBlock(0, teacher);
                gc.conv("conv2").getParameters().get("weight").getArray().set(new float[8 * 4]);
                gc.conv("conv2").getParameters().get("bias").getArray().set(new float[8]);
            }
            Map<String, NDArray> terms = fgd.losses(new ParameterStore(m, false),
                    List.of(array(m, golden.get("inputs").get("preds_S"))),
                    List.of(array(m, golden.get("inputs").get("preds_T"))), targets(), true);
            double actual = terms.get(Fgd.LOSS_RELA).getFloat();
            double expected = golden.get("outputs").get("rela_loss_if_conv2_zero").asDouble();
            assertClose(actual, expected, RTOL, ATOL, "rela_loss_if_conv2_zero");
            LOG.info("fgd rela_loss_if_conv2_zero: {} vs {} (rel diff {})", actual, expected,
                    Math.abs(actual - expected) / expected);
        }
    }

    @Test
    public void freshBlockStartsWithZeroLastConv() {
        try (NDManager m = NDManager.newBaseManager()) {
            Fgd fgd = Fgd.builder().setStudentChannels(8).setTeacherChannels(8).build();
            fgd.initialize(m, DataType.FLOAT32);
            Map<String, NDArray> terms = fgd.losses(new ParameterStore(m, false),
                    List.of(array(m, golden.get("inputs").get("preds_S"))),
                    List.of(array(m, golden.get("inputs").get("preds_T"))), targets(), true);
            assertClose(terms.get(Fgd.LOSS_RELA).getFloat(), golden.get("outputs").get("rela_loss_if_conv2_zero")
                    .asDouble(), RTOL, ATOL, "fresh rela");
        }
    }
}
