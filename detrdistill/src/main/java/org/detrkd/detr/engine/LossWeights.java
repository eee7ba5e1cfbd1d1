package org.detrkd.detr.engine;

import org.detrkd.detr.util.Scalars;
import ai.djl.ndarray.NDArray;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The single place where loss-term weights are applied (DETR's {@code weight_dict}).
 *
 * <p>Name rule: a term's weight is the weight registered under its exact name; otherwise, if the name ends in
 * {@code _<digits>} or {@code _enc} (DETR's auxiliary decoder-stage terms {@code loss_ce_0 ... loss_ce_4},
 * Deformable DETR's encoder-proposal terms {@code loss_ce_enc}), the weight of the name without that suffix.
 * Any other name is an error: a silently ignored term is a silently wrong experiment. A weight of exactly 0 marks a
 * term as "log only" (DETR's {@code class_error}, {@code cardinality_error}): it is reported but not added.
 */
public final class LossWeights {

    private static final Pattern AUX_SUFFIX = Pattern.compile("^(.+)_(\\d+|enc)$");

    private final Map<String, Double> weights;

    /**
     * @param weights base-term name to weight (finite, non-negative)
     */
    public LossWeights(Map<String, Double> weights) {
        Map<String, Double> copy = new TreeMap<>();
        for (Map.Entry<String, Double> e : weights.entrySet()) {
            double w = e.getValue();
            if (!Double.isFinite(w) || w < 0) {
                throw new IllegalArgumentException("loss weight for " + e.getKey() + " must be finite and >= 0: " + w);
            }
            copy.put(e.getKey(), w);
        }
        this.weights = Collections.unmodifiableMap(copy);
    }

    /**
     * @return the registered base weights, sorted by name
     */
    public Map<String, Double> weights() {
        return weights;
    }

    /**
     * The weight for a term name, following the suffix rule.
     *
     * @param term a loss-term name such as {@code loss_giou_3}
     * @return its weight
     * @throws IllegalArgumentException for a name that neither matches nor reduces to a registered one
     */
    public double weightOf(String term) {
        Double w = weights.get(term);
        if (w != null) {
            return w;
        }
        Matcher m = AUX_SUFFIX.matcher(term);
        if (m.matches()) {
            w = weights.get(m.group(1));
            if (w != null) {
                return w;
            }
        }
        throw new IllegalArgumentException(
                "unknown loss term '" + term + "': no weight for it or its base name; known: " + weights.keySet());
    }

    /**
     * Weights and sums the terms. The total is a new array attached to the first term's manager; the terms are
     * kept as given (unweighted) for logging.
     *
     * @param terms named unweighted scalar loss terms, at least one
     * @return the weighted total with the terms and the weight used for each
     */
    public WeightedLoss apply(Map<String, NDArray> terms) {
        if (terms.isEmpty()) {
            throw new IllegalArgumentException("no loss terms to weight");
        }
        Map<String, NDArray> sorted = new TreeMap<>(terms);
        Map<String, Double> used = new LinkedHashMap<>();
        NDArray total = null;
        for (Map.Entry<String, NDArray> e : sorted.entrySet()) {
            double w = weightOf(e.getKey());
            used.put(e.getKey(), w);
            if (w == 0) {
                continue;
            }
            NDArray term = e.getValue();
            NDArray weighted = Scalars.mul(term, w);
            if (total == null) {
                total = weighted;
            } else {
                NDArray sum = total.add(weighted);
                total.close();
                weighted.close();
                total = sum;
            }
        }
        if (total == null) {
            throw new IllegalArgumentException("every loss term has weight 0: nothing to optimise " + used.keySet());
        }
        return new WeightedLoss(total, Collections.unmodifiableMap(sorted), Collections.unmodifiableMap(used));
    }

    /**
     * The result of {@link #apply}: total {@code = sum(weight(name) * term)}.
     *
     * @param total scalar weighted sum (differentiable)
     * @param terms the unweighted terms, sorted by name
     * @param weights the weight applied to each term, same order
     */
    public record WeightedLoss(NDArray total, Map<String, NDArray> terms, Map<String, Double> weights) {}
}
