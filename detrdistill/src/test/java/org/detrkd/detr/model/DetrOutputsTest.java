package org.detrkd.detr.model;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertNull;
import static org.testng.Assert.assertSame;
import static org.testng.Assert.expectThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import org.testng.annotations.Test;

import java.util.List;

public class DetrOutputsTest {

    private static DetrOutputs sample(NDManager m, boolean extra) {
        int l = 3;
        int b = 2;
        int q = 4;
        int k = 5;
        int d = 8;
        DetrOutputs.ExtraGroup group = extra ? new DetrOutputs.ExtraGroup(m.zeros(new Shape(l, b, 6, k)),
                m.zeros(new Shape(l, b, 6, 4)), m.zeros(new Shape(l, b, 6, d)), m.zeros(new Shape(b, 6, 2))) : null;
        return new DetrOutputs(m.randomNormal(new Shape(l, b, q, k)), m.zeros(new Shape(l, b, q, 4)),
                m.zeros(new Shape(l, b, q, d)), m.zeros(new Shape(q, d)), m.zeros(new Shape(b, q, 2)),
                m.zeros(new Shape(b, 6, d)), m.zeros(new Shape(b, 6), DataType.BOOLEAN), 2, 3,
                m.zeros(new Shape(b, 6, d)), List.of(m.zeros(new Shape(b, 4, 8, 12)), m.zeros(new Shape(b, 6, 2, 3))),
                List.of(m.zeros(new Shape(b, 8, 12), DataType.BOOLEAN), m.zeros(new Shape(b, 2, 3), DataType.BOOLEAN)),
                group);
    }

    @Test
    public void layoutRoundTripWithAndWithoutExtraGroup() {
        try (NDManager m = NDManager.newBaseManager()) {
            for (boolean extra : new boolean[] {false, true}) {
                DetrOutputs o = sample(m, extra);
                NDList list = o.toNDList();
                assertEquals(list.size(), 9 + 2 * 2 + (extra ? 4 : 0));
                assertSame(list.get(DetrOutputs.LOGITS), o.logits());
                assertSame(list.get(DetrOutputs.FEATURES + 2), o.features().get(1));
                assertEquals(list.get(DetrOutputs.MEMORY_SHAPE).toLongArray(), new long[] {2, 3});
                DetrOutputs back = DetrOutputs.fromNDList(list);
                assertSame(back.memory(), o.memory());
                assertEquals(back.memoryHeight(), 2);
                assertEquals(back.memoryWidth(), 3);
                assertSame(back.featureMasks().get(1), o.featureMasks().get(1));
                assertEquals(back.numStages(), 3);
                assertEquals(back.predLogits().toFloatArray(), o.logits().get(2).toFloatArray());
                if (extra) {
                    assertSame(back.extra().hidden(), o.extra().hidden());
                } else {
                    assertNull(back.extra());
                }
            }
        }
    }

    @Test
    public void wrongLayoutNamesTheIndex() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDList list = sample(m, false).toNDList();
            list.get(DetrOutputs.MEMORY).setName("mem");
            IllegalArgumentException e = expectThrows(IllegalArgumentException.class,
                    () -> DetrOutputs.fromNDList(list));
            assertEquals(e.getMessage(), "DetrOutputs layout: expected 'memory' at index 5, found 'mem'");
        }
    }
}
