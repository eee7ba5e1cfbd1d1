package org.detrkd.detr.distill;

import org.detrkd.detr.conditional.ConditionalDetrConfig;
import org.detrkd.detr.model.Detector;

/**
 * What a method factory needs to know to build its adapters: the teacher's and the student's
 * {@link DetectorDescription} (detector, widths {@code d}, query counts {@code M >= N}, decoder stages, classes, the
 * levels of their feature maps). Teacher and student are the same detector and predict the same classes.
 *
 * @param teacher the teacher's description
 * @param student the student's description
 */
public record DistillationContext(DetectorDescription teacher, DetectorDescription student) {

    /** Checks that both are the same detector and predict the same classes. */
    public DistillationContext {
        if (!teacher.detector().equals(student.detector())) {
            throw new IllegalArgumentException("teacher is " + teacher.detector() + ", student " + student.detector()
                    + ": distillation needs the same detector");
        }
        if (teacher.numClasses() != student.numClasses()) {
            throw new IllegalArgumentException("teacher predicts " + teacher.numClasses() + " classes, student "
                    + student.numClasses());
        }
    }

    /** A Conditional DETR pair. */
    public DistillationContext(ConditionalDetrConfig teacher, ConditionalDetrConfig student) {
        this(DetectorDescription.of(teacher), DetectorDescription.of(student));
    }

    /**
     * @param teacher the teacher model
     * @param student the student model
     * @return their context
     */
    public static DistillationContext of(Detector teacher, Detector student) {
        return new DistillationContext(DetectorDescription.of(teacher), DetectorDescription.of(student));
    }

    /** @return the (common) detector name */
    public String detector() {
        return student.detector();
    }
}
