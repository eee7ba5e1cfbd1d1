package org.detrkd.datasets.generate;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Where objects go and how big they are, shared by every generator: the three-band size law of
 * {@link ShapesSpec}, box positions (inside the image, or partly outside with {@code truncatedShare}), and the
 * occlusion rule: objects are stacked in order, and a candidate is re-drawn with the same class and size (up to
 * {@code placementAttempts} times, then skipped) when it would leave an earlier object with less than
 * {@code 1 - maxOcclusion} of its own pixels visible. Boxes always record the full extent of an occluded object.
 */
final class SceneLayout {
    /**
     * Draws one candidate object of class {@code classIndex} (0-based) and a given side length (square root of
     * its box area). Class and side are fixed per object across placement attempts, so the occlusion rule does
     * not favour classes or sizes that cover fewer pixels.
     */
    interface ObjectSampler {
        SceneObject sample(SplittableRandom r, int classIndex, double side, SceneLayout layout);
    }

    private static final int MIN_PIXELS = 4;

    private final ShapesSpec spec;
    private final int classCount;

    SceneLayout(ShapesSpec spec, int classCount) {
        this.spec = spec;
        this.classCount = classCount;
    }

    ShapesSpec spec() {
        return spec;
    }

    /** An object side length from the small, medium or large band. */
    double sampleSide(SplittableRandom r) {
        double u = r.nextDouble();
        double largeMax = spec.effectiveMaxSide();
        if (u < spec.smallShare()) {
            return SceneRandom.logUniform(r, spec.minSide(), ShapesSpec.SMALL_MAX);
        }
        if (largeMax > ShapesSpec.LARGE_MIN && u < spec.smallShare() + spec.largeShare()) {
            return SceneRandom.uniform(r, ShapesSpec.LARGE_MIN, largeMax);
        }
        double mediumMax = Math.max(ShapesSpec.MEDIUM_MIN, Math.min(ShapesSpec.MEDIUM_MAX, largeMax));
        return SceneRandom.logUniform(r, ShapesSpec.MEDIUM_MIN, mediumMax);
    }

    /** The top-left corner {@code {x, y}} for a box of {@code bw x bh} pixels. */
    double[] topLeft(SplittableRandom r, double bw, double bh) {
        boolean truncated = r.nextDouble() < spec.truncatedShare();
        return new double[] {coordinate(r, bw, truncated), coordinate(r, bh, truncated)};
    }

    private double coordinate(SplittableRandom r, double extent, boolean truncated) {
        double slack = truncated ? 0.4 * extent : 0;
        double lo = -slack;
        double hi = spec.imageSize() - extent + slack;
        if (hi <= lo) {
            return (spec.imageSize() - extent) / 2;
        }
        return SceneRandom.uniform(r, lo, hi);
    }

    /** Chooses the objects of one scene, in drawing order (later ones on top). */
    List<SceneObject> place(Canvas canvas, SplittableRandom r, ObjectSampler sampler) {
        int target = SceneRandom.between(r, spec.minObjects(), spec.maxObjects());
        int[] owner = new int[canvas.width() * canvas.height()];
        int[] visible = new int[target + 1];
        int[] full = new int[target + 1];
        List<SceneObject> placed = new ArrayList<>();
        for (int k = 0; k < target; k++) {
            int classIndex = r.nextInt(classCount);
            double side = sampleSide(r);
            for (int attempt = 0; attempt < spec.placementAttempts(); attempt++) {
                SceneObject candidate = sampler.sample(r, classIndex, side, this);
                if (tryPlace(candidate.coverage(canvas), owner, visible, full, placed.size() + 1)) {
                    placed.add(candidate);
                    break;
                }
            }
        }
        return placed;
    }

    /** Stacks a candidate covering {@code cover} as object {@code id} if every earlier one stays visible enough. */
    private boolean tryPlace(int[] cover, int[] owner, int[] visible, int[] full, int id) {
        if (cover.length < MIN_PIXELS) {
            return false;
        }
        int[] lost = new int[id];
        for (int p : cover) {
            lost[owner[p]]++;
        }
        if (!keepsEnoughVisible(visible, full, lost, id)) {
            return false;
        }
        for (int p : cover) {
            owner[p] = id;
        }
        for (int i = 1; i < id; i++) {
            visible[i] -= lost[i];
        }
        visible[id] = cover.length;
        full[id] = cover.length;
        return true;
    }

    private boolean keepsEnoughVisible(int[] visible, int[] full, int[] lost, int id) {
        for (int i = 1; i < id; i++) {
            if (visible[i] - lost[i] < (1 - spec.maxOcclusion()) * full[i]) {
                return false;
            }
        }
        return true;
    }
}
