package org.detrkd.detr.distill;

import java.util.Arrays;
import java.util.List;
import org.detrkd.detr.adamixer.AdaMixer;
import org.detrkd.detr.adamixer.AdaMixerConfig;
import org.detrkd.detr.backbone.ResNetSpec;
import org.detrkd.detr.conditional.ConditionalDetr;
import org.detrkd.detr.conditional.ConditionalDetrConfig;
import org.detrkd.detr.deformable.DeformableDetr;
import org.detrkd.detr.deformable.DeformableDetrConfig;
import org.detrkd.detr.model.Detector;

/**
 * What a distillation method may know about a detector, whichever of the three it is: the shapes of its
 * {@link org.detrkd.detr.model.DetrOutputs}. Methods read as little of it as they can (DETRDistill: width and stages;
 * the feature baselines: the channels and strides of the levels they read).
 *
 * @param detector {@code conditional-detr}, {@code deformable-detr} or {@code adamixer}
 * @param hiddenDim model width d (of {@code hidden}, {@code memory}, {@code encoderInput})
 * @param numQueries Q, main queries
 * @param decoderLayers decoder stages L (prediction stages)
 * @param numClasses K
 * @param queryPriorWidth width of the extra query group ({@code DetrOutputs.queryPrior()}): d (Conditional DETR), 2d
 *     (Deformable DETR: positions then contents), d + 4 (AdaMixer: content then initial box)
 * @param featureChannels channels of the {@code DetrOutputs.features} levels (backbone C3-C5; AdaMixer: its neck
 *     levels, d each)
 * @param featureStrides their strides in pixels (8, 16, 32; AdaMixer 8, 16, 32 [, 64])
 * @param hasEncoder whether {@code memory} is an encoder's output (false for AdaMixer, whose {@code memory} is its
 *     finest neck level)
 * @param memoryStrides the strides of the levels {@code memory} / {@code encoderInput} cover, in their order
 *     (Conditional DETR: the one level it reads, 16 or 32; Deformable DETR: 8, 16, 32, 64 at 4 levels; AdaMixer: 8)
 */
public record DetectorDescription(String detector, int hiddenDim, int numQueries, int decoderLayers, int numClasses,
        int queryPriorWidth, int[] featureChannels, int[] featureStrides, boolean hasEncoder, int[] memoryStrides) {

    /** Conditional DETR's name. */
    public static final String CONDITIONAL = "conditional-detr";
    /** Deformable DETR's name. */
    public static final String DEFORMABLE = "deformable-detr";
    /** AdaMixer's name. */
    public static final String ADAMIXER = "adamixer";

    /** Copies the arrays and checks the level lists. */
    public DetectorDescription {
        featureChannels = featureChannels.clone();
        featureStrides = featureStrides.clone();
        memoryStrides = memoryStrides.clone();
        if (featureChannels.length != featureStrides.length || memoryStrides.length == 0) {
            throw new IllegalArgumentException(detector + ": " + featureChannels.length + " feature channels, "
                    + featureStrides.length + " strides, " + memoryStrides.length + " memory levels");
        }
    }

    @Override
    public int[] featureChannels() {
        return featureChannels.clone();
    }

    @Override
    public int[] featureStrides() {
        return featureStrides.clone();
    }

    @Override
    public int[] memoryStrides() {
        return memoryStrides.clone();
    }

    /** @return the number of levels {@code memory} covers (more than one only for Deformable DETR) */
    public int memoryLevels() {
        return memoryStrides.length;
    }

    /**
     * @param model any of the three detectors
     * @return its description
     * @throws IllegalArgumentException for another detector class
     */
    public static DetectorDescription of(Detector model) {
        if (model instanceof ConditionalDetr c) {
            return of(c.config());
        }
        if (model instanceof DeformableDetr d) {
            return of(d.config());
        }
        if (model instanceof AdaMixer a) {
            return of(a.config());
        }
        throw new IllegalArgumentException("no distillation description for " + model.getClass().getSimpleName());
    }

    /** @return the description of a Conditional DETR with these settings */
    public static DetectorDescription of(ConditionalDetrConfig c) {
        int d = c.hiddenDim();
        int[] strides = backboneStrides();
        return new DetectorDescription(CONDITIONAL, d, c.numQueries(), c.decoderLayers(), c.numClasses(), d,
                c.backbone().featureChannels(), strides, true, new int[] {strides[c.featureIndex()]});
    }

    /** @return the description of a Deformable DETR with these settings */
    public static DetectorDescription of(DeformableDetrConfig c) {
        int d = c.hiddenDim();
        int[] strides = backboneStrides();
        int[] memory = new int[c.featureLevels()];
        int used = c.backboneLevels();
        for (int l = 0; l < memory.length; l++) {
            memory[l] = l < used ? strides[strides.length - used + l] : memory[l - 1] * 2;
        }
        return new DetectorDescription(DEFORMABLE, d, c.numQueries(), c.decoderLayers(), c.numClasses(), 2 * d,
                c.backbone().featureChannels(), strides, true, memory);
    }

    /** @return the description of an AdaMixer with these settings */
    public static DetectorDescription of(AdaMixerConfig c) {
        int d = c.hiddenDim();
        int[] strides = c.strides();
        int[] channels = new int[strides.length];
        Arrays.fill(channels, d);
        return new DetectorDescription(ADAMIXER, d, c.numQueries(), c.stages(), c.numClasses(), d + 4, channels,
                strides, false, new int[] {strides[0]});
    }

    private static int[] backboneStrides() {
        List<Integer> s = ResNetSpec.FEATURE_STRIDES;
        return s.stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DetectorDescription x && detector.equals(x.detector) && hiddenDim == x.hiddenDim
                && numQueries == x.numQueries && decoderLayers == x.decoderLayers && numClasses == x.numClasses
                && queryPriorWidth == x.queryPriorWidth && Arrays.equals(featureChannels, x.featureChannels)
                && Arrays.equals(featureStrides, x.featureStrides) && hasEncoder == x.hasEncoder
                && Arrays.equals(memoryStrides, x.memoryStrides);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(detector, hiddenDim, numQueries, decoderLayers, numClasses, queryPriorWidth,
                Arrays.hashCode(featureChannels), Arrays.hashCode(featureStrides), hasEncoder,
                Arrays.hashCode(memoryStrides));
    }

    @Override
    public String toString() {
        return detector + "(d " + hiddenDim + ", queries " + numQueries + ", stages " + decoderLayers + ", classes "
                + numClasses + ", features " + Arrays.toString(featureChannels) + " at strides "
                + Arrays.toString(featureStrides) + ", memory strides " + Arrays.toString(memoryStrides) + ")";
    }
}
