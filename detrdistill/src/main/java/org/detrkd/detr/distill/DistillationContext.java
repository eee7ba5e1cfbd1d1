package org.detrkd.detr.distill;

import org.detrkd.detr.conditional.ConditionalDetrConfig;

/**
 * What a method factory needs to know to build its adapters: the teacher's and the student's detector settings
 * (widths {@code d}, query counts {@code M >= N}, decoder stages, classes).
 *
 * @param teacher the teacher's settings
 * @param student the student's settings
 */
public record DistillationContext(ConditionalDetrConfig teacher, ConditionalDetrConfig student) {

    /** Checks that both detectors predict the same classes. */
    public DistillationContext {
        if (teacher.numClasses() != student.numClasses()) {
            throw new IllegalArgumentException("teacher predicts " + teacher.numClasses() + " classes, student "
                    + student.numClasses());
        }
    }
}
