package org.detrkd.suites.spec;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The resolved options of a method, one record per method ({@link Methods} reads them strictly from a suite file,
 * filling what the file omits from the preset). Serialised with snake_case keys into a cell's spec and the result's
 * {@code options}.
 */
public sealed interface MethodOptions permits MethodOptions.None, MethodOptions.DetrDistill, MethodOptions.FitNet,
        MethodOptions.Fgd, MethodOptions.Mgd, MethodOptions.Fkd, MethodOptions.Fgfi, MethodOptions.ClockDistill {

    /** Whether the method reads a teacher. */
    default boolean needsTeacher() {
        return true;
    }

    /** {@code none} and {@code teacher}: no options, no teacher. */
    record None() implements MethodOptions {
        @Override
        public boolean needsTeacher() {
            return false;
        }
    }

    /**
     * DETRDistill (paper Sec. 4; method-notes for the released code).
     *
     * @param logits Hungarian-matching logits distillation (LD)
     * @param features target-aware feature distillation (FD)
     * @param assignment query-prior assignment distillation (AD)
     * @param lambdaLogits weight of LD (paper 1)
     * @param lambdaFeatures weight of FD (paper 20)
     * @param lambdaAssignment weight of AD (paper 1)
     */
    record DetrDistill(@JsonProperty("logits") Logits logits, @JsonProperty("features") Features features,
            @JsonProperty("assignment") Assignment assignment,
            @JsonProperty("lambda_logits") double lambdaLogits,
            @JsonProperty("lambda_features") double lambdaFeatures,
            @JsonProperty("lambda_assignment") double lambdaAssignment) implements MethodOptions {

        /** Whether no component is on (a KD-off control: must equal the plain student). */
        public boolean allOff() {
            return !logits.enabled() && !features.enabled() && !assignment.enabled();
        }
    }

    /**
     * LD settings.
     *
     * @param positiveClass distil the class of the teacher's positive predictions (Tab. 6 pos_cls)
     * @param positiveBox distil the box of positives (pos_reg)
     * @param negativeBox distil the box of negatives (neg_reg)
     * @param split how teacher predictions are split into positives and negatives: {@code teacher-assignment} (the
     *     teacher's own Hungarian match to the ground truth), {@code score-threshold}, {@code none} (released code:
     *     all predictions are one set, distilled with class and box; negative_box must then be false)
     * @param scoreThreshold the threshold of {@code score-threshold}
     * @param progressive {@code per-stage} (teacher stage k, or group k of stages, teaches student stage k) or
     *     {@code last-stage} (the teacher's last stage teaches every student stage, Tab. 7)
     */
    record Logits(@JsonProperty("positive_class") boolean positiveClass,
            @JsonProperty("positive_box") boolean positiveBox, @JsonProperty("negative_box") boolean negativeBox,
            @JsonProperty("split") String split, @JsonProperty("score_threshold") double scoreThreshold,
            @JsonProperty("progressive") String progressive) {
        /** Whether any logits term is on. */
        public boolean enabled() {
            return positiveClass || positiveBox || negativeBox;
        }
    }

    /**
     * FD settings.
     *
     * @param enabled on or off
     * @param mask {@code eq6} (all teacher queries, unweighted), {@code eq8} (quality-weighted) or
     *     {@code released-code} (top-100 query/class pairs, cosine mask)
     * @param gamma the quality score's balance (Eq. 7, 0.5)
     */
    record Features(@JsonProperty("enabled") boolean enabled, @JsonProperty("mask") String mask,
            @JsonProperty("gamma") double gamma) {
    }

    /**
     * AD settings.
     *
     * @param enabled on or off
     */
    record Assignment(@JsonProperty("enabled") boolean enabled) {
    }

    /** FitNet: adapter + MSE; the weight is this project's choice (see {@code FitNetSettings}). */
    record FitNet(@JsonProperty("weight") double weight) implements MethodOptions {
    }

    /** FGD ({@code FgdSettings}). */
    record Fgd(@JsonProperty("temperature") double temperature, @JsonProperty("alpha") double alpha,
            @JsonProperty("beta") double beta, @JsonProperty("gamma") double gamma,
            @JsonProperty("lambda") double lambda) implements MethodOptions {
    }

    /** MGD ({@code MgdSettings}). */
    record Mgd(@JsonProperty("alpha") double alpha, @JsonProperty("mask_ratio") double maskRatio)
            implements MethodOptions {
    }

    /** FKD ({@code FkdSettings}; the non-local blocks come with the preset). */
    record Fkd(@JsonProperty("spatial_temperature") double spatialTemperature,
            @JsonProperty("channel_temperature") double channelTemperature,
            @JsonProperty("use_channel_mask") boolean useChannelMask,
            @JsonProperty("feature_weight") double featureWeight,
            @JsonProperty("channel_weight") double channelWeight,
            @JsonProperty("spatial_weight") double spatialWeight,
            @JsonProperty("non_local_weight") double nonLocalWeight) implements MethodOptions {
    }

    /** FGFI ({@code FgfiSettings}; virtual RetinaNet anchors). */
    record Fgfi(@JsonProperty("weight") double weight, @JsonProperty("warmup_steps") long warmupSteps,
            @JsonProperty("threshold_factor") double thresholdFactor,
            @JsonProperty("adapter_kernel") int adapterKernel,
            @JsonProperty("adapter_relu") boolean adapterRelu) implements MethodOptions {
    }

    /**
     * CLoCKDistill (abstract only, code not obtainable): every value is this project's guess and reports say so.
     *
     * @param featureWeight weight of the encoder-memory feature loss
     * @param logitsWeight weight of the logit loss through target-aware queries
     * @param locationEnriched enrich the memory with ground-truth locations
     * @param targetAwareQueries build queries from ground-truth boxes for both decoders
     */
    record ClockDistill(@JsonProperty("feature_weight") double featureWeight,
            @JsonProperty("logits_weight") double logitsWeight,
            @JsonProperty("location_enriched") boolean locationEnriched,
            @JsonProperty("target_aware_queries") boolean targetAwareQueries) implements MethodOptions {
    }
}
