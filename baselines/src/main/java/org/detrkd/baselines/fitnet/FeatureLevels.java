package org.detrkd.baselines.fitnet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

import java.util.List;

/**
 * Argument checks shared by the feature-distillation baselines: one student and one teacher map per level, NCHW,
 * same batch and spatial size, and the channel counts the method was built for.
 */
public final class FeatureLevels {

    private FeatureLevels() {}

    /**
     * @param student per level {@code [B, Cs_l, H_l, W_l]}
     * @param teacher per level {@code [B, Ct_l, H_l, W_l]}
     * @param studentChannels expected {@code Cs_l}
     * @param teacherChannels expected {@code Ct_l}
     * @throws IllegalArgumentException with the level and the mismatch
     */
    public static void check(List<NDArray> student, List<NDArray> teacher, int[] studentChannels,
            int[] teacherChannels) {
        if (student.size() != studentChannels.length || teacher.size() != teacherChannels.length) {
            throw new IllegalArgumentException("expected " + studentChannels.length + " levels, got " + student.size()
                    + " student and " + teacher.size() + " teacher maps");
        }
        for (int l = 0; l < student.size(); l++) {
            Shape s = student.get(l).getShape();
            Shape t = teacher.get(l).getShape();
            if (s.dimension() != 4 || t.dimension() != 4) {
                throw new IllegalArgumentException("level " + l + ": expected NCHW maps, got " + s + " and " + t);
            }
            if (s.get(0) != t.get(0) || s.get(2) != t.get(2) || s.get(3) != t.get(3)) {
                throw new IllegalArgumentException("level " + l + ": student " + s + " and teacher " + t
                        + " differ in batch or spatial size");
            }
            if (s.get(1) != studentChannels[l] || t.get(1) != teacherChannels[l]) {
                throw new IllegalArgumentException("level " + l + ": expected " + studentChannels[l] + " student and "
                        + teacherChannels[l] + " teacher channels, got " + s + " and " + t);
            }
        }
    }

    /** @return {@code a + b}, or {@code b} when {@code a} is null (accumulating a term over levels) */
    public static NDArray accumulate(NDArray a, NDArray b) {
        return a == null ? b : a.add(b);
    }
}
