package org.detrkd.detr.conditional;

import static org.testng.Assert.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.training.ParameterStore;

import org.detrkd.detr.transformer.Mlp;
import org.testng.annotations.Test;

public class ConditionalDecoderTest {

    @Test
    public void shapesReferencePointsAndPaddingInvariance() {
        try (NDManager m = NDManager.newBaseManager()) {
            int d = 16;
            ConditionalDecoder dec = new ConditionalDecoder(d, 4, 32, 3, 0f);
            Shape s = new Shape(2, 6, d);
            dec.initialize(m, DataType.FLOAT32, s, s, new Shape(2, 5, d));
            ParameterStore ps = new ParameterStore(m, false);
            NDArray memory = m.randomNormal(s);
            NDArray pos = m.randomNormal(s);
            NDArray queryPos = m.randomNormal(new Shape(2, 5, d));
            NDArray pad = m.create(new boolean[] {false, false, false, false, false, true, false, false, false, false,
                true, true}, new Shape(2, 6));
            ConditionalDecoder.Result r = dec.apply(ps, memory, pos, pad, queryPos, null, false);
            assertEquals(r.hidden().getShape(), new Shape(3, 2, 5, d));
            assertEquals(r.referencePoints().getShape(), new Shape(2, 5, 2));
            assertEquals(dec.getOutputShapes(new Shape[] {s, s, new Shape(2, 5, d)})[0], r.hidden().getShape());
            // reference points = sigmoid(ref_point_head(query_pos))
            Mlp head = null;
            for (var c : dec.getChildren()) {
                if (c.getKey().endsWith("ref_point_head")) {
                    head = (Mlp) c.getValue();
                }
            }
            NDArray expected = Activation.sigmoid(head.forward(ps, new NDList(queryPos), false).singletonOrThrow());
            assertEquals(r.referencePoints().sub(expected).abs().max().getFloat(), 0f, 1e-7);
            // padded memory positions do not influence any stage
            NDArray memory2 = memory.duplicate();
            memory2.set(new ai.djl.ndarray.index.NDIndex("1, 4:"), 50f);
            memory2.set(new ai.djl.ndarray.index.NDIndex("0, 5"), -50f);
            NDArray pos2 = pos.duplicate();
            pos2.set(new ai.djl.ndarray.index.NDIndex("1, 5"), 9f);
            NDArray h2 = dec.apply(ps, memory2, pos2, pad, queryPos, null, false).hidden();
            assertEquals(h2.sub(r.hidden()).abs().max().getFloat(), 0f, 1e-6);
        }
    }
}
