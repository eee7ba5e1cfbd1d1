package org.detrkd.detr.deformable;

import org.detrkd.detr.backbone.ResNetSpec;

import java.util.Locale;
import java.util.Objects;

/**
 * Settings of a {@link DeformableDetr} (Zhu et al., "Deformable DETR", ICLR 2021).
 *
 * <p>Variant: {@code boxRefine = false} is the plain Deformable DETR, {@code true} adds the paper's iterative bounding
 * box refinement (Sec. 4.2; per-stage heads, each stage refines the previous stage's boxes, which become 4-d reference
 * points). The presets use the plain variant: the DETRDistill student (R50, 50 epochs) reaches 44.1 AP, which matches
 * plain Deformable DETR (43.8 in Zhu et al. Tab. 1, 44.5 in MMDetection) and not the refined one (45.4 / 46.1).
 *
 * <p>GroupNorm after each input projection uses {@code normGroups} groups; the paper's 32 needs {@code d} divisible
 * by 32 ({@link #groupsFor} picks 32 down to 1, keeping at least 4 channels per group, so d 128 keeps 32 groups).
 *
 * @param numClasses K, sigmoid classes (no background class)
 * @param hiddenDim transformer width d, divisible by {@code heads} and {@code normGroups}, even
 * @param heads attention heads M (deformable and decoder self-attention)
 * @param ffnDim feed-forward hidden width
 * @param encoderLayers encoder layers (0 allowed: the memory is then the projected levels)
 * @param decoderLayers decoder layers = prediction stages, at least 1
 * @param numQueries Q, learned object queries (each a position and a content embedding)
 * @param featureLevels L, number of feature levels: C5 (1), C4-C5 (2), C3-C5 (3), then extra 3x3 stride-2 levels
 * @param points P, sampling points per head and level
 * @param normGroups GroupNorm groups of the input projections
 * @param boxRefine iterative bounding-box refinement
 * @param dropout transformer dropout (0.1 in the paper, 0 at the mini scale)
 * @param backbone the ResNet settings
 */
public record DeformableDetrConfig(
        int numClasses,
        int hiddenDim,
        int heads,
        int ffnDim,
        int encoderLayers,
        int decoderLayers,
        int numQueries,
        int featureLevels,
        int points,
        int normGroups,
        boolean boxRefine,
        float dropout,
        ResNetSpec backbone) {

    /** Checks the settings. */
    public DeformableDetrConfig {
        if (numClasses < 1 || numQueries < 1 || decoderLayers < 1 || encoderLayers < 0 || ffnDim < 1
                || featureLevels < 1 || points < 1) {
            throw new IllegalArgumentException("bad Deformable DETR settings: " + String.format(Locale.ROOT,
                    "classes %d, queries %d, encoder %d, decoder %d, ffn %d, levels %d, points %d", numClasses,
                    numQueries, encoderLayers, decoderLayers, ffnDim, featureLevels, points));
        }
        if (heads < 1 || hiddenDim % heads != 0 || hiddenDim % 2 != 0) {
            throw new IllegalArgumentException("hiddenDim " + hiddenDim + " must be even and divisible by heads " + heads);
        }
        if (normGroups < 1 || hiddenDim % normGroups != 0) {
            throw new IllegalArgumentException("hiddenDim " + hiddenDim + " must be divisible by normGroups "
                    + normGroups);
        }
        if (dropout < 0 || dropout >= 1) {
            throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
        }
        Objects.requireNonNull(backbone, "backbone");
    }

    /**
     * @param d model width
     * @return 32 GroupNorm groups as the paper when d allows, otherwise the largest power of two dividing d with at
     *     least 4 channels per group (1 for tiny d)
     */
    public static int groupsFor(int d) {
        int g = 32;
        while (g > 1 && (d % g != 0 || d / g < 4)) {
            g /= 2;
        }
        return g;
    }

    /**
     * The mini teacher: mini-teacher ResNet, d 128, 4 heads (head width 32 as the paper's 256 / 8), FFN 512, 2 encoder
     * / 3 decoder layers, 40 queries, 4 levels (C3-C5 and the extra stride-64 level; 16x16 to 2x2 on a 128-px image),
     * 4 points, 32 GroupNorm groups, plain variant, no dropout.
     */
    public static DeformableDetrConfig miniTeacher(int numClasses) {
        return new DeformableDetrConfig(numClasses, 128, 4, 512, 2, 3, 40, 4, 4, groupsFor(128), false, 0f,
                ResNetSpec.miniTeacher());
    }

    /** @return the mini student: as {@link #miniTeacher} with the mini-student backbone */
    public static DeformableDetrConfig miniStudent(int numClasses) {
        return new DeformableDetrConfig(numClasses, 128, 4, 512, 2, 3, 40, 4, 4, groupsFor(128), false, 0f,
                ResNetSpec.miniStudent());
    }

    /**
     * The paper's setting (Zhu et al. Sec. 5): d 256, 8 heads, FFN 1024, 6 / 6 layers, 300 queries, 4 levels, 4
     * points, GroupNorm 32, dropout 0.1, plain variant (see the class note).
     */
    public static DeformableDetrConfig paper(int numClasses, ResNetSpec backbone) {
        return new DeformableDetrConfig(numClasses, 256, 8, 1024, 6, 6, 300, 4, 4, 32, false, 0.1f, backbone);
    }

    /** @return a copy with other layer counts */
    public DeformableDetrConfig withLayers(int encoder, int decoder) {
        return new DeformableDetrConfig(numClasses, hiddenDim, heads, ffnDim, encoder, decoder, numQueries,
                featureLevels, points, normGroups, boxRefine, dropout, backbone);
    }

    /** @return a copy with another number of queries */
    public DeformableDetrConfig withQueries(int queries) {
        return new DeformableDetrConfig(numClasses, hiddenDim, heads, ffnDim, encoderLayers, decoderLayers, queries,
                featureLevels, points, normGroups, boxRefine, dropout, backbone);
    }

    /** @return a copy with other deformable-attention sizes */
    public DeformableDetrConfig withAttention(int levels, int attentionHeads, int samplingPoints) {
        return new DeformableDetrConfig(numClasses, hiddenDim, attentionHeads, ffnDim, encoderLayers, decoderLayers,
                numQueries, levels, samplingPoints, normGroups, boxRefine, dropout, backbone);
    }

    /** @return a copy with iterative box refinement on or off */
    public DeformableDetrConfig withBoxRefine(boolean refine) {
        return new DeformableDetrConfig(numClasses, hiddenDim, heads, ffnDim, encoderLayers, decoderLayers, numQueries,
                featureLevels, points, normGroups, refine, dropout, backbone);
    }

    /** @return the number of backbone levels used (at most 3: C3, C4, C5; with fewer levels the finest are dropped) */
    public int backboneLevels() {
        return Math.min(3, featureLevels);
    }
}
