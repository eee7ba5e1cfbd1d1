package org.detrkd.detr.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The ordered list of a block's trainable parameters (those with {@code requiresGradient()}), with access to their
 * gradients. Names are DJL's hierarchical parameter names, stable for a given architecture, and key the
 * checkpointed optimizer state; {@link Parameter#getId()} (a random id per process) keys per-run lookups.
 *
 * <p>BatchNorm running statistics do not require gradients and are therefore not trainable (they are still saved
 * with the weights).
 */
public final class TrainableParameters {

    /**
     * One trainable parameter.
     *
     * @param name hierarchical name, e.g. {@code 01Linear_weight}
     * @param parameter the parameter (its array is read fresh at every use)
     */
    public record Entry(String name, Parameter parameter) {}

    private final List<Entry> entries;
    private final Set<String> ids;

    /**
     * @param block an initialised block
     */
    public TrainableParameters(Block block) {
        List<Entry> list = new ArrayList<>();
        Set<String> idSet = new HashSet<>();
        for (Pair<String, Parameter> pair : block.getParameters()) {
            Parameter p = pair.getValue();
            if (!p.isInitialized()) {
                throw new IllegalStateException("parameter " + pair.getKey() + " is not initialised: initialise the "
                        + "block before handing it to the training engine");
            }
            if (p.requiresGradient()) {
                if (!p.getArray().hasGradient()) {
                    p.getArray().setRequiresGradient(true);
                }
                list.add(new Entry(pair.getKey(), p));
                idSet.add(p.getId());
            }
        }
        if (list.isEmpty()) {
            throw new IllegalArgumentException("the block has no trainable parameter");
        }
        this.entries = Collections.unmodifiableList(list);
        this.ids = Collections.unmodifiableSet(idSet);
    }

    /**
     * @return the trainable parameters in the block's order
     */
    public List<Entry> entries() {
        return entries;
    }

    /**
     * @return number of trainable parameter tensors
     */
    public int size() {
        return entries.size();
    }

    /**
     * @param parameter any parameter
     * @return whether it is one of these trainable parameters
     */
    public boolean contains(Parameter parameter) {
        return ids.contains(parameter.getId());
    }

    /**
     * @return total number of trainable scalars
     */
    public long numel() {
        long n = 0;
        for (Entry e : entries) {
            n += e.parameter().getArray().size();
        }
        return n;
    }

    /**
     * The current gradients, one per entry, as views attached to {@code manager} (closing them does not free the
     * gradient storage, only the Java handle). A parameter that took no part in the backward pass gets zeros.
     *
     * @param manager the step manager
     * @return the gradients, in entry order
     */
    public NDList gradients(NDManager manager) {
        NDList grads = new NDList(entries.size());
        for (Entry e : entries) {
            NDArray g = e.parameter().getArray().getGradient();
            g.attach(manager);
            grads.add(g);
        }
        return grads;
    }

    /**
     * Overwrites the gradients with zeros, also where they hold NaN or infinity (slower than {@link #zero}).
     *
     * @param grads the arrays returned by {@link #gradients}
     */
    public static void fillZero(NDList grads) {
        for (NDArray g : grads) {
            g.set(new NDIndex("..."), 0f);
        }
    }

    /**
     * Zeroes finite gradients in place (PyTorch accumulates them across backward passes); multiplies by 0, so a
     * NaN stays NaN: see {@link #fillZero}.
     *
     * @param grads the arrays returned by {@link #gradients}
     */
    public static void zero(NDList grads) {
        if (grads.isEmpty()) {
            return;
        }
        try (NDArray zero = grads.get(0).getManager().create(0f)) {
            for (NDArray g : grads) {
                g.muli(zero);
            }
        }
    }
}
