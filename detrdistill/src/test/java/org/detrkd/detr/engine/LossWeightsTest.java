package org.detrkd.detr.engine;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import java.util.LinkedHashMap;
import java.util.Map;

import org.testng.annotations.Test;

public class LossWeightsTest {

    private final LossWeights detr = new LossWeights(
            Map.of("loss_ce", 1.0, "loss_bbox", 5.0, "loss_giou", 2.0, "class_error", 0.0));

    @Test
    public void suffixedAuxiliaryTermsTakeTheBaseWeight() {
        assertEquals(detr.weightOf("loss_bbox"), 5.0);
        assertEquals(detr.weightOf("loss_bbox_0"), 5.0);
        assertEquals(detr.weightOf("loss_giou_12"), 2.0);
        assertEquals(detr.weightOf("loss_ce_enc"), 1.0);
    }

    @Test
    public void unknownTermIsAnErrorListingKnownNames() {
        IllegalArgumentException e = expectThrows(IllegalArgumentException.class, () -> detr.weightOf("loss_mask_0"));
        assertEquals(e.getMessage(), "unknown loss term 'loss_mask_0': no weight for it or its base name; known: "
                + "[class_error, loss_bbox, loss_ce, loss_giou]");
        expectThrows(IllegalArgumentException.class, () -> detr.weightOf("loss_bboxx"));
        expectThrows(IllegalArgumentException.class, () -> new LossWeights(Map.of("loss_ce", -1.0)));
    }

    @Test
    public void totalIsTheWeightedSumAndTermsStayUnweighted() {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> terms = new LinkedHashMap<>();
            terms.put("loss_ce", m.create(0.5f));
            terms.put("loss_bbox", m.create(0.2f));
            terms.put("loss_giou_1", m.create(new float[] {0.25f}));
            terms.put("class_error", m.create(80f));
            LossWeights.WeightedLoss w = detr.apply(terms);
            // 1*0.5 + 5*0.2 + 2*0.25; class_error (weight 0) is logged only
            assertEquals(w.total().getFloat(), 2.0f, 1e-6);
            assertEquals(w.terms().keySet().toString(), "[class_error, loss_bbox, loss_ce, loss_giou_1]");
            assertEquals(w.terms().get("class_error").getFloat(), 80f);
            assertEquals(w.weights().get("loss_giou_1"), 2.0);
            assertTrue(w.weights().containsKey("class_error"));
        }
    }
}
