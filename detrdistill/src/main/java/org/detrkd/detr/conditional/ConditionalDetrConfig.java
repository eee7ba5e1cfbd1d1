package org.detrkd.detr.conditional;

import org.detrkd.detr.backbone.ResNetSpec;

import java.util.Locale;

/**
 * Settings of a {@link ConditionalDetr}.
 *
 * @param numClasses K, sigmoid classes (no background class)
 * @param hiddenDim transformer width d, divisible by {@code heads} and even
 * @param heads attention heads
 * @param ffnDim feed-forward hidden width
 * @param encoderLayers encoder layers (0 allowed: the memory is then the projected C5)
 * @param decoderLayers decoder layers = prediction stages L, at least 1
 * @param numQueries Q, learned object queries
 * @param dropout transformer dropout (0.1 in the paper, 0 at the mini scale)
 * @param backbone the ResNet settings
 * @param featureLevel the backbone level the transformer reads: 5 (C5, stride 32, the paper's) or 4 (C4, stride 16: an
 *     8x8 map for 128-pixel images instead of 4x4, see docs/calibration.md)
 */
public record ConditionalDetrConfig(
        int numClasses,
        int hiddenDim,
        int heads,
        int ffnDim,
        int encoderLayers,
        int decoderLayers,
        int numQueries,
        float dropout,
        ResNetSpec backbone,
        int featureLevel) {

    /** Checks the settings. */
    public ConditionalDetrConfig {
        if (numClasses < 1 || numQueries < 1 || decoderLayers < 1 || encoderLayers < 0 || ffnDim < 1) {
            throw new IllegalArgumentException("bad Conditional DETR settings: " + describe(numClasses, hiddenDim, heads,
                    ffnDim, encoderLayers, decoderLayers, numQueries));
        }
        if (heads < 1 || hiddenDim % heads != 0 || hiddenDim % 2 != 0) {
            throw new IllegalArgumentException("hiddenDim " + hiddenDim + " must be even and divisible by heads " + heads);
        }
        if (dropout < 0 || dropout >= 1) {
            throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
        }
        java.util.Objects.requireNonNull(backbone, "backbone");
        if (featureLevel != 4 && featureLevel != 5) {
            throw new IllegalArgumentException("featureLevel must be 4 (C4) or 5 (C5), got " + featureLevel);
        }
    }

    /** The settings reading C5, as the paper (the constructor before {@code featureLevel} existed). */
    public ConditionalDetrConfig(int numClasses, int hiddenDim, int heads, int ffnDim, int encoderLayers,
            int decoderLayers, int numQueries, float dropout, ResNetSpec backbone) {
        this(numClasses, hiddenDim, heads, ffnDim, encoderLayers, decoderLayers, numQueries, dropout, backbone, 5);
    }

    /** @return the index (0 = C3, 1 = C4, 2 = C5) of the read level in the backbone's output list */
    public int featureIndex() {
        return featureLevel - 3;
    }

    /** @return a copy reading backbone level {@code level} (4 or 5) */
    public ConditionalDetrConfig withFeatureLevel(int level) {
        return new ConditionalDetrConfig(numClasses, hiddenDim, heads, ffnDim, encoderLayers, decoderLayers, numQueries,
                dropout, backbone, level);
    }

    /**
     * @return the mini teacher: mini-teacher backbone read at C4 (an 8x8 map for 128-pixel images; C5's 4x4 map
     *     learned slower, docs/calibration.md), d 128, 8 heads, FFN 512, 2 encoder / 3 decoder layers, 40 queries
     */
    public static ConditionalDetrConfig miniTeacher(int numClasses) {
        return new ConditionalDetrConfig(numClasses, 128, 8, 512, 2, 3, 40, 0f, ResNetSpec.miniTeacher(), 4);
    }

    /** @return the mini student: as the mini teacher (C4 included) with the mini-student backbone */
    public static ConditionalDetrConfig miniStudent(int numClasses) {
        return new ConditionalDetrConfig(numClasses, 128, 8, 512, 2, 3, 40, 0f, ResNetSpec.miniStudent(), 4);
    }

    /** @return the paper's setting: d 256, 8 heads, FFN 2048, 6 / 6 layers, 300 queries, dropout 0.1 */
    public static ConditionalDetrConfig paper(int numClasses, ResNetSpec backbone) {
        return new ConditionalDetrConfig(numClasses, 256, 8, 2048, 6, 6, 300, 0.1f, backbone);
    }

    /** @return a copy with other layer counts */
    public ConditionalDetrConfig withLayers(int encoder, int decoder) {
        return new ConditionalDetrConfig(numClasses, hiddenDim, heads, ffnDim, encoder, decoder, numQueries, dropout,
                backbone, featureLevel);
    }

    /** @return a copy with another number of queries */
    public ConditionalDetrConfig withQueries(int queries) {
        return new ConditionalDetrConfig(numClasses, hiddenDim, heads, ffnDim, encoderLayers, decoderLayers, queries,
                dropout, backbone, featureLevel);
    }

    private static String describe(int k, int d, int h, int f, int enc, int dec, int q) {
        return String.format(Locale.ROOT, "classes %d, d %d, heads %d, ffn %d, encoder %d, decoder %d, queries %d", k, d,
                h, f, enc, dec, q);
    }
}
