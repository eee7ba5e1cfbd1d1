package org.detrkd.detr.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.util.HashSet;
import java.util.Set;

/**
 * What every DETR-family detector in detrkd offers the training, evaluation and distillation code: a forward pass to
 * the {@link DetrOutputs} record, an optional isolated extra query group, and the parameters that train at the
 * reduced learning rate. Implemented by Conditional DETR, Deformable DETR and AdaMixer, so the engine never needs to
 * know which one it trains.
 */
public interface Detector extends Block {

    /**
     * @param ps the parameter store
     * @param images {@code [B, 3, H, W]} normalised images
     * @param pixelMask {@code [B, H, W]} boolean, true = padding
     * @param extraQueries an extra isolated query group in the form {@link DetrOutputs#queryPrior()} has for this
     *     detector ({@code [G, d]}, Deformable DETR {@code [G, 2d]}, AdaMixer {@code [G, d + 4]}), or null (training
     *     only; evaluation uses the main queries)
     * @param training whether in training mode
     * @return the outputs distillation and the criterion read
     */
    DetrOutputs forward(ParameterStore ps, NDArray images, NDArray pixelMask, NDArray extraQueries, boolean training);

    /**
     * @param p a parameter of this model
     * @return whether it trains at the reduced learning rate (the backbone; for Deformable DETR also the sampling
     *     offsets and reference points, as in the paper)
     */
    boolean isLowLrParameter(Parameter p);

    /** @return the names (as {@link #getParameters()} lists them) of the low-learning-rate parameters */
    default Set<String> lowLrParameterNames() {
        Set<String> names = new HashSet<>();
        for (Pair<String, Parameter> p : getParameters()) {
            if (isLowLrParameter(p.getValue())) {
                names.add(p.getKey());
            }
        }
        return names;
    }
}
