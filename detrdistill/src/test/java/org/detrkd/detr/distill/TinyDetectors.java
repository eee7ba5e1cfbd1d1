package org.detrkd.detr.distill;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import org.detrkd.detr.adamixer.AdaMixer;
import org.detrkd.detr.adamixer.AdaMixerConfig;
import org.detrkd.detr.backbone.ResNetSpec;
import org.detrkd.detr.deformable.DeformableDetr;
import org.detrkd.detr.deformable.DeformableDetrConfig;
import org.detrkd.detr.model.Detector;

/**
 * Tiny Deformable DETR / AdaMixer teacher-student pairs for the distillation tests (64-px inputs): the teacher d 64,
 * 4 queries, 2 stages on the mini-teacher backbone; the student d 32, 3 queries, 2 stages on the mini-student backbone,
 * so every width adapter exists. Deformable DETR: 1 encoder layer, 4 levels, 2 points; AdaMixer: 4 groups, P_in 2,
 * P_out 4, levels C3-C5.
 */
public final class TinyDetectors {

    private TinyDetectors() {}

    /**
     * @param detector {@link DetectorDescription#DEFORMABLE} or {@link DetectorDescription#ADAMIXER}
     * @param teacher the teacher's size (else the student's)
     * @param k classes
     * @param manager where the parameters go
     * @return the initialised model
     */
    public static Detector create(String detector, boolean teacher, int k, NDManager manager) {
        int d = teacher ? 64 : 32;
        int q = teacher ? 4 : 3;
        ResNetSpec backbone = teacher ? ResNetSpec.miniTeacher() : ResNetSpec.miniStudent();
        Block model = switch (detector) {
            case DetectorDescription.DEFORMABLE -> new DeformableDetr(new DeformableDetrConfig(k, d, 4, 2 * d, 1, 2, q,
                    4, 2, DeformableDetrConfig.groupsFor(d), false, 0f, backbone));
            case DetectorDescription.ADAMIXER -> new AdaMixer(new AdaMixerConfig(k, d, 4, 2 * d, 2, q, 4, 2, 4, false,
                    0f, backbone));
            default -> throw new IllegalArgumentException(detector);
        };
        model.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 64, 64), new Shape(1, 64, 64));
        return (Detector) model;
    }
}
