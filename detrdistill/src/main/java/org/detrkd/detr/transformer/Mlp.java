package org.detrkd.detr.transformer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

import java.util.ArrayList;
import java.util.List;

/**
 * DETR's small {@code MLP}: {@code numLayers} linear layers {@code in -> hidden -> .. -> out} with ReLU between them
 * (none after the last); works on any leading shape {@code [.., in] -> [.., out]}.
 */
public final class Mlp extends AbstractBlock {

    private final int inDim;
    private final List<Linear> layers = new ArrayList<>();

    /**
     * @param inDim input width
     * @param hiddenDim width of the hidden layers
     * @param outDim output width
     * @param numLayers number of linear layers, at least 1
     */
    public Mlp(int inDim, int hiddenDim, int outDim, int numLayers) {
        if (numLayers < 1) {
            throw new IllegalArgumentException("numLayers must be >= 1, got " + numLayers);
        }
        this.inDim = inDim;
        for (int i = 0; i < numLayers; i++) {
            int units = i == numLayers - 1 ? outDim : hiddenDim;
            layers.add(addChildBlock("layers." + i, Linear.builder().setUnits(units).build()));
        }
    }

    /** @return the last linear layer (Conditional DETR zero-initialises the box head's) */
    public Linear lastLayer() {
        return layers.get(layers.size() - 1);
    }

    /** @return {@code [.., out]} from {@code x [.., in]} */
    public NDArray apply(ParameterStore ps, NDArray x, boolean training) {
        NDArray h = x;
        for (int i = 0; i < layers.size(); i++) {
            h = Layers.apply(layers.get(i), ps, h, training);
            if (i < layers.size() - 1) {
                h = Activation.relu(h);
            }
        }
        return h;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> p) {
        return new NDList(apply(ps, inputs.singletonOrThrow(), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape s = inputShapes[0];
        long out = lastLayer().getOutputShapes(new Shape[] {new Shape(1, inDim)})[0].get(1);
        return new Shape[] {s.slice(0, s.dimension() - 1).add(out)};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape s = new Shape(1, inDim);
        for (Linear layer : layers) {
            layer.initialize(manager, dataType, s);
            s = layer.getOutputShapes(new Shape[] {s})[0];
        }
    }
}
