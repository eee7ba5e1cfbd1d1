package org.detrkd.detr.transformer;

import static org.testng.Assert.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.training.ParameterStore;

import org.testng.annotations.Test;

public class BlocksShapeTest {

    @Test
    public void ffnAndMlpShapesAndMlpValues() {
        try (NDManager m = NDManager.newBaseManager()) {
            ParameterStore ps = new ParameterStore(m, false);
            Ffn ffn = new Ffn(8, 16, 0f);
            ffn.initialize(m, DataType.FLOAT32, new Shape(2, 5, 8));
            NDArray x = m.randomNormal(new Shape(2, 5, 8));
            assertEquals(ffn.apply(ps, x, false).getShape(), new Shape(2, 5, 8));
            assertEquals(ffn.getParameters().size(), 4);

            Mlp mlp = new Mlp(8, 6, 2, 3);
            mlp.initialize(m, DataType.FLOAT32, new Shape(1, 8));
            NDArray x4 = m.randomNormal(new Shape(3, 2, 5, 8));
            NDArray y = mlp.forward(ps, new NDList(x4), false).singletonOrThrow();
            assertEquals(y.getShape(), new Shape(3, 2, 5, 2));
            assertEquals(mlp.getOutputShapes(new Shape[] {x4.getShape()})[0], new Shape(3, 2, 5, 2));
            // value: relu(relu(x W0^T + b0) W1^T + b1) W2^T + b2 for one row
            NDArray h = x4.get(new NDIndex("1, 0, 3"));
            var params = mlp.getParameters();
            for (int i = 0; i < 3; i++) {
                NDArray w = params.get(i * 2).getValue().getArray();
                NDArray b = params.get(i * 2 + 1).getValue().getArray();
                h = w.matMul(h.expandDims(1)).squeeze(1).add(b);
                if (i < 2) {
                    h = Activation.relu(h);
                }
            }
            assertEquals(y.get(new NDIndex("1, 0, 3")).sub(h).abs().max().getFloat(), 0f, 1e-5);
        }
    }

    @Test
    public void encoderLayerShapeAndPaddingInvariance() {
        try (NDManager m = NDManager.newBaseManager()) {
            ParameterStore ps = new ParameterStore(m, false);
            TransformerEncoderLayer layer = new TransformerEncoderLayer(8, 2, 16, 0f);
            layer.initialize(m, DataType.FLOAT32, new Shape(2, 6, 8), new Shape(2, 6, 8));
            NDArray src = m.randomNormal(new Shape(2, 6, 8));
            NDArray pos = m.randomNormal(new Shape(2, 6, 8));
            NDArray pad = m.create(new boolean[] {false, false, false, false, true, true, false, false, false, false,
                false, false}, new Shape(2, 6));
            NDArray out = layer.apply(ps, src, pos, pad, false);
            assertEquals(out.getShape(), new Shape(2, 6, 8));
            // each position is normalised by norm2 (gamma 1, beta 0 at init): mean 0 over d
            assertEquals(out.mean(new int[] {2}).abs().max().getFloat(), 0f, 1e-5);
            NDArray src2 = src.duplicate();
            src2.set(new NDIndex("0, 4"), 9f);
            NDArray out2 = layer.apply(ps, src2, pos, pad, false);
            assertEquals(out2.get(new NDIndex("0, :4")).toFloatArray(), out.get(new NDIndex("0, :4")).toFloatArray());
            assertEquals(out2.get(new NDIndex("1")).toFloatArray(), out.get(new NDIndex("1")).toFloatArray());
        }
    }
}
