package org.detrkd.detr.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * AdamW (Loshchilov and Hutter, decoupled weight decay) written with in-place array ops, so that its state can be
 * saved and restored exactly (DJL's {@code Adam} keeps it private) and so that per-parameter learning rates need no
 * tracker. Update for parameter {@code p} with gradient {@code g} at step {@code t} (1-based), as
 * {@code torch.optim.AdamW}:
 * <pre>
 *   lr_p = lr * multiplier(p)
 *   p   *= 1 - lr_p * weightDecay
 *   m    = beta1 * m + (1 - beta1) * g
 *   v    = beta2 * v + (1 - beta2) * g^2
 *   p   -= lr_p / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 * </pre>
 * Defaults follow DETR: weight decay 1e-4 on every parameter, betas 0.9/0.999, eps 1e-8; the backbone gets a
 * multiplier of 0.1 through {@link Builder#optLrMultiplier} (rules by parameter name, resolved once, then looked up by
 * {@link Parameter#getId()}).
 *
 * <p>Speed: a per-tensor update costs about 15 native calls, which dominates a step on a model with hundreds of small
 * tensors. Parameters are therefore grouped by multiplier and the moments of a group live in ONE flat array: the
 * group's gradients are concatenated once ({@link #flatten}), the moment updates run once per group, and the update is
 * split back into per-parameter views (about 5 calls per tensor in all). The arithmetic per element is unchanged.
 * Must run outside the gradient collector (in-place updates of leaves).
 */
public final class AdamW {

    private final TrainableParameters params;
    private final NDManager stateManager;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final Map<String, Double> multiplierById = new HashMap<>();
    private final List<Group> groups = new ArrayList<>();
    private final NDArray[] constants; // beta1, 1-beta1, beta2, 1-beta2, eps
    private long stepCount;

    /** Parameters sharing a learning-rate multiplier, with flat moments. */
    private static final class Group {
        final double multiplier;
        final List<Integer> members = new ArrayList<>();
        long[] splitPoints;
        NDArray m;
        NDArray v;

        Group(double multiplier) {
            this.multiplier = multiplier;
        }
    }

    private AdamW(Builder b, TrainableParameters params, NDManager parentManager) {
        this.params = params;
        this.beta1 = b.beta1;
        this.beta2 = b.beta2;
        this.eps = b.eps;
        this.weightDecay = b.weightDecay;
        this.stateManager = parentManager.newSubManager();
        Map<Double, Group> byMultiplier = new LinkedHashMap<>();
        List<TrainableParameters.Entry> entries = params.entries();
        for (int i = 0; i < entries.size(); i++) {
            double mult = multiplierFor(b, entries.get(i).name());
            multiplierById.put(entries.get(i).parameter().getId(), mult);
            byMultiplier.computeIfAbsent(mult, Group::new).members.add(i);
        }
        for (Group g : byMultiplier.values()) {
            long total = 0;
            g.splitPoints = new long[g.members.size() - 1];
            for (int k = 0; k < g.members.size(); k++) {
                total += entries.get(g.members.get(k)).parameter().getArray().size();
                if (k < g.members.size() - 1) {
                    g.splitPoints[k] = total;
                }
            }
            NDArray first = entries.get(g.members.get(0)).parameter().getArray();
            g.m = stateManager.zeros(new ai.djl.ndarray.types.Shape(total), first.getDataType(), first.getDevice());
            g.v = stateManager.zeros(new ai.djl.ndarray.types.Shape(total), first.getDataType(), first.getDevice());
            groups.add(g);
        }
        constants = new NDArray[] {
            scalar(beta1), scalar(1 - beta1), scalar(beta2), scalar(1 - beta2), scalar(eps)
        };
    }

    private static double multiplierFor(Builder b, String name) {
        for (Map.Entry<Predicate<String>, Double> rule : b.multipliers.entrySet()) {
            if (rule.getKey().test(name)) {
                return rule.getValue();
            }
        }
        return 1.0;
    }

    private NDArray scalar(double x) {
        return stateManager.create((float) x);
    }

    /**
     * @return a builder with DETR's defaults
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * @param parameter a trainable parameter
     * @return its learning-rate multiplier
     */
    public double lrMultiplier(Parameter parameter) {
        Double mult = multiplierById.get(parameter.getId());
        if (mult == null) {
            throw new IllegalArgumentException("not optimised by this AdamW: " + parameter.getName());
        }
        return mult;
    }

    /**
     * @return the number of updates applied so far
     */
    public long stepCount() {
        return stepCount;
    }

    /**
     * Concatenates the gradients of each multiplier group into one flat array (a copy, attached to the gradients'
     * manager). Clipping can scale these flat arrays instead of every gradient.
     *
     * @param grads the gradients in {@link TrainableParameters#entries()} order
     * @return one flat gradient per group
     */
    public NDList flatten(NDList grads) {
        if (grads.size() != params.size()) {
            throw new IllegalArgumentException("expected " + params.size() + " gradients, got " + grads.size());
        }
        NDList flats = new NDList(groups.size());
        for (Group g : groups) {
            NDList parts = new NDList(g.members.size());
            for (int i : g.members) {
                parts.add(grads.get(i).reshape(-1));
            }
            flats.add(parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts));
        }
        return flats;
    }

    /**
     * Applies one update to every trainable parameter and zeroes their gradients.
     *
     * @param lr the base learning rate of this step
     * @param grads the gradients in {@link TrainableParameters#entries()} order, attached to the step manager
     */
    public void step(double lr, NDList grads) {
        stepFlat(lr, flatten(grads));
        TrainableParameters.zero(grads);
    }

    /**
     * Applies one update from flat group gradients (see {@link #flatten}); does not touch the parameter gradients.
     * Temporaries are attached to the manager of the flat gradients.
     *
     * @param lr the base learning rate of this step
     * @param flats the output of {@link #flatten}, possibly scaled by clipping
     */
    public void stepFlat(double lr, NDList flats) {
        long t = stepCount + 1;
        double bc1 = 1 - Math.pow(beta1, t);
        double sqrtBc2 = Math.sqrt(1 - Math.pow(beta2, t));
        List<TrainableParameters.Entry> entries = params.entries();
        for (int k = 0; k < groups.size(); k++) {
            Group g = groups.get(k);
            NDArray grad = flats.get(k);
            NDManager sm = grad.getManager();
            double lrP = lr * g.multiplier;
            NDArray decay = sm.create((float) (1 - lrP * weightDecay));
            NDArray stepSize = sm.create((float) (lrP / bc1));
            NDArray bc2 = sm.create((float) sqrtBc2);
            NDArray gm = grad.mul(constants[1]);
            g.m.muli(constants[0]).addi(gm);
            NDArray g2 = grad.square().muli(constants[3]);
            g.v.muli(constants[2]).addi(g2);
            NDArray denom = g.v.sqrt();
            denom.attach(sm);
            denom.divi(bc2).addi(constants[4]);
            NDArray update = g.m.div(denom);
            update.attach(sm);
            update.muli(stepSize);
            NDList parts = g.members.size() == 1 ? new NDList(update) : update.split(g.splitPoints, 0);
            for (int j = 0; j < g.members.size(); j++) {
                NDArray w = entries.get(g.members.get(j)).parameter().getArray();
                w.muli(decay).subi(parts.get(j).reshape(w.getShape()));
            }
        }
        stepCount = t;
    }

    /**
     * Writes the moments as safetensors, one array per parameter named {@code m.<param>} and {@code v.<param>} (so the
     * file does not depend on the grouping). The step count is saved by the caller (checkpoint JSON).
     *
     * @param out the stream
     * @throws IOException if writing fails
     */
    public void saveState(OutputStream out) throws IOException {
        try (NDManager tmp = stateManager.newSubManager()) {
            NDList list = new NDList();
            for (Group g : groups) {
                addParts(list, g, g.m, "m.", tmp);
                addParts(list, g, g.v, "v.", tmp);
            }
            list.encode(out, NDList.Encoding.SAFETENSORS);
        }
    }

    private void addParts(NDList list, Group g, NDArray flat, String prefix, NDManager tmp) {
        NDList parts = g.members.size() == 1 ? new NDList(flat.duplicate()) : flat.split(g.splitPoints, 0);
        for (int j = 0; j < g.members.size(); j++) {
            TrainableParameters.Entry e = params.entries().get(g.members.get(j));
            NDArray a = parts.get(j).reshape(e.parameter().getArray().getShape());
            a.attach(tmp);
            a.setName(prefix + e.name());
            list.add(a);
        }
        parts.attach(tmp);
    }

    /**
     * Restores the moments written by {@link #saveState} (copied into the existing state arrays) and the step count.
     *
     * @param in the stream
     * @param steps the number of updates already applied
     * @throws IOException if reading fails or the state does not match these parameters
     */
    public void loadState(InputStream in, long steps) throws IOException {
        try (NDManager tmp = stateManager.newSubManager()) {
            Map<String, NDArray> byName = new LinkedHashMap<>();
            for (NDArray a : NDList.decode(tmp, in)) {
                byName.put(a.getName(), a);
            }
            if (byName.size() != 2 * params.size()) {
                throw new IOException("optimizer state has " + byName.size() + " arrays, expected "
                        + 2 * params.size());
            }
            for (Group g : groups) {
                copyGroup(byName, g, "m.", g.m, tmp);
                copyGroup(byName, g, "v.", g.v, tmp);
            }
        }
        this.stepCount = steps;
    }

    private void copyGroup(Map<String, NDArray> byName, Group g, String prefix, NDArray target, NDManager tmp)
            throws IOException {
        NDList parts = new NDList(g.members.size());
        for (int i : g.members) {
            TrainableParameters.Entry e = params.entries().get(i);
            NDArray src = checked(byName, prefix + e.name(), e.parameter().getArray());
            parts.add(src.reshape(-1));
        }
        NDArray flat = parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts);
        flat.attach(tmp);
        target.set(flat.toByteBuffer());
    }

    /** The array called {@code name}, checked against the shape and type of {@code like}. */
    static NDArray checked(Map<String, NDArray> byName, String name, NDArray like) throws IOException {
        NDArray src = byName.get(name);
        if (src == null) {
            throw new IOException("missing array '" + name + "'");
        }
        if (!src.getShape().equals(like.getShape()) || src.getDataType() != like.getDataType()) {
            throw new IOException("array '" + name + "' is " + src.getDataType() + src.getShape() + ", expected "
                    + like.getDataType() + like.getShape());
        }
        return src;
    }

    /** Options of {@link AdamW}; {@code opt*} setters are optional. */
    public static final class Builder {
        private double beta1 = 0.9;
        private double beta2 = 0.999;
        private double eps = 1e-8;
        private double weightDecay = 1e-4;
        private final Map<Predicate<String>, Double> multipliers = new LinkedHashMap<>();

        /**
         * @param beta1 first-moment decay (0.9)
         * @param beta2 second-moment decay (0.999)
         * @return this builder
         */
        public Builder optBetas(double beta1, double beta2) {
            this.beta1 = beta1;
            this.beta2 = beta2;
            return this;
        }

        /**
         * @param eps denominator term (1e-8)
         * @return this builder
         */
        public Builder optEps(double eps) {
            this.eps = eps;
            return this;
        }

        /**
         * @param weightDecay decoupled weight decay (1e-4, DETR's value; DJL's AdamW defaults to 0.01)
         * @return this builder
         */
        public Builder optWeightDecay(double weightDecay) {
            this.weightDecay = weightDecay;
            return this;
        }

        /**
         * Parameters whose name matches get {@code multiplier * lr}; the first matching rule wins.
         *
         * @param nameMatches predicate on the hierarchical parameter name (e.g. contains "backbone")
         * @param multiplier learning-rate multiplier, e.g. 0.1 for the backbone
         * @return this builder
         */
        public Builder optLrMultiplier(Predicate<String> nameMatches, double multiplier) {
            multipliers.put(nameMatches, multiplier);
            return this;
        }

        /**
         * @param params the parameters to optimise
         * @param manager the manager under which the optimizer state (m, v) is created (a sub-manager is used)
         * @return the optimizer with zero moments
         */
        public AdamW build(TrainableParameters params, NDManager manager) {
            if (!(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1 && eps > 0 && weightDecay >= 0)) {
                throw new IllegalArgumentException("invalid AdamW options: betas " + beta1 + "/" + beta2
                        + ", eps " + eps + ", weight decay " + weightDecay);
            }
            return new AdamW(this, params, manager);
        }
    }
}
