package org.detrkd.detr.transformer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;

/** Small helpers shared by the transformer layers: one-array forward, dropout that is skipped at rate 0, LayerNorm. */
public final class Layers {

    private Layers() {}

    /** @return {@code block(x)} for a block with one input and one output */
    public static NDArray apply(Block block, ParameterStore ps, NDArray x, boolean training) {
        return block.forward(ps, new NDList(x), training).singletonOrThrow();
    }

    /**
     * @return {@code x} with dropout at {@code rate} in training; {@code x} itself when the rate is 0 or in inference;
     *     the recorded or replayed mask while a {@link DropoutMasks} runs
     */
    public static NDArray dropout(NDArray x, float rate, boolean training) {
        if (!(rate > 0 && training)) {
            return x;
        }
        NDArray recorded = DropoutMasks.applyIfActive(x, rate);
        return recorded != null ? recorded : Dropout.dropout(x, rate, training).singletonOrThrow();
    }

    /** @return a LayerNorm over the last axis of {@code [B, S, d]} (axis 2, epsilon 1e-5 as PyTorch) */
    public static LayerNorm layerNorm() {
        return LayerNorm.builder().axis(2).optEpsilon(1e-5f).build();
    }
}
