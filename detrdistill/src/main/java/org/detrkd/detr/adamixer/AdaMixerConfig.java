package org.detrkd.detr.adamixer;

import org.detrkd.detr.backbone.ResNetSpec;

import java.util.Locale;
import java.util.Objects;

/**
 * Settings of an {@link AdaMixer} detector (Gao et al., "AdaMixer: A Fast-Converging Query-Based Object Detector",
 * CVPR 2022).
 *
 * @param numClasses K, sigmoid classes (no background class)
 * @param hiddenDim model width d (query content and neck channels), divisible by {@code heads}, by {@code groups} and
 *     by 8 (the position embedding gives d / 4 dimensions to each of x, y, z, r)
 * @param heads self-attention heads between queries
 * @param ffnDim feed-forward hidden width
 * @param stages decoder stages L, each refining the boxes and predicting classes, at least 1
 * @param numQueries Q, learned queries (content vector + initial box)
 * @param groups sampling / mixing groups g; each group owns {@code d / g} channels
 * @param inPoints P_in, sampling points per query and group
 * @param outPoints P_out, spatial-mixing outputs per query and group
 * @param extraLevel whether the neck adds a stride-64 level (3x3 stride-2 convolution on C5) to C3-C5
 * @param dropout dropout in attention and FFN (0 at the mini scale)
 * @param backbone the ResNet settings
 */
public record AdaMixerConfig(
        int numClasses,
        int hiddenDim,
        int heads,
        int ffnDim,
        int stages,
        int numQueries,
        int groups,
        int inPoints,
        int outPoints,
        boolean extraLevel,
        float dropout,
        ResNetSpec backbone) {

    /** Checks the settings. */
    public AdaMixerConfig {
        if (numClasses < 1 || numQueries < 1 || stages < 1 || ffnDim < 1 || inPoints < 1 || outPoints < 1) {
            throw new IllegalArgumentException("bad AdaMixer settings: " + describe(numClasses, hiddenDim, heads, stages,
                    numQueries, groups, inPoints, outPoints));
        }
        if (heads < 1 || groups < 1 || hiddenDim % heads != 0 || hiddenDim % groups != 0 || hiddenDim % 8 != 0) {
            throw new IllegalArgumentException("hiddenDim " + hiddenDim + " must be divisible by 8, by heads " + heads
                    + " and by groups " + groups);
        }
        if (dropout < 0 || dropout >= 1) {
            throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
        }
        Objects.requireNonNull(backbone, "backbone");
    }

    /**
     * The mini teacher: mini-teacher backbone, d 128, 8 heads, FFN 512, 3 stages, 40 queries, 4 groups (C_g 32), P_in 8,
     * P_out 16, levels C3-C5 (strides 8-32, no stride-64 level: at 128 px it would be 2 x 2). Chosen for speed on one
     * CPU thread at 128 px: the 3D sampling gathers {@code 4 corners x levels x g x P_in} rows per query and stage and
     * dominated the step at P_in 16 (see the report of {@code AdaMixerTiming}).
     *
     * @param numClasses K
     * @return the settings
     */
    public static AdaMixerConfig miniTeacher(int numClasses) {
        return new AdaMixerConfig(numClasses, 128, 8, 512, 3, 40, 4, 8, 16, false, 0f, ResNetSpec.miniTeacher());
    }

    /**
     * @return the mini student: as the mini teacher with the mini-student backbone (same d, so the teacher's queries
     *     can be fed to it as an extra group)
     */
    public static AdaMixerConfig miniStudent(int numClasses) {
        return new AdaMixerConfig(numClasses, 128, 8, 512, 3, 40, 4, 8, 16, false, 0f, ResNetSpec.miniStudent());
    }

    /**
     * @return the paper's setting: d 256, 8 heads, FFN 2048, 6 stages, 100 queries, 4 groups, P_in 32, P_out 128, four
     *     levels (strides 8-64; AdaMixer's own are 4-32 from C2-C5, which this suite's backbones do not expose)
     */
    public static AdaMixerConfig paper(int numClasses, ResNetSpec backbone) {
        return new AdaMixerConfig(numClasses, 256, 8, 2048, 6, 100, 4, 32, 128, true, 0f, backbone);
    }

    /** @return a copy with another number of stages */
    public AdaMixerConfig withStages(int n) {
        return new AdaMixerConfig(numClasses, hiddenDim, heads, ffnDim, n, numQueries, groups, inPoints, outPoints,
                extraLevel, dropout, backbone);
    }

    /** @return a copy with or without the stride-64 level */
    public AdaMixerConfig withExtraLevel(boolean on) {
        return new AdaMixerConfig(numClasses, hiddenDim, heads, ffnDim, stages, numQueries, groups, inPoints, outPoints,
                on, dropout, backbone);
    }

    /** @return a copy with another number of queries */
    public AdaMixerConfig withQueries(int q) {
        return new AdaMixerConfig(numClasses, hiddenDim, heads, ffnDim, stages, q, groups, inPoints, outPoints,
                extraLevel, dropout, backbone);
    }

    /** @return a copy with other sampling / mixing sizes */
    public AdaMixerConfig withPoints(int groupCount, int in, int out) {
        return new AdaMixerConfig(numClasses, hiddenDim, heads, ffnDim, stages, numQueries, groupCount, in, out,
                extraLevel, dropout, backbone);
    }

    /** @return the feature strides of the neck levels: 8, 16, 32 (, 64) */
    public int[] strides() {
        return extraLevel ? new int[] {8, 16, 32, 64} : new int[] {8, 16, 32};
    }

    /** @return channels per group {@code d / g} */
    public int groupChannels() {
        return hiddenDim / groups;
    }

    private static String describe(int k, int d, int h, int l, int q, int g, int pin, int pout) {
        return String.format(Locale.ROOT, "classes %d, d %d, heads %d, stages %d, queries %d, groups %d, P_in %d, "
                + "P_out %d", k, d, h, l, q, g, pin, pout);
    }
}
