package org.detrkd.detr.deformable;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.detrkd.detr.model.GradientGuard;
import org.testng.annotations.Test;

/**
 * Guards the whole Deformable DETR training graph (backbone, multi-scale neck, deformable encoder and decoder, heads,
 * the extra query group, criterion) against the DJL freed-Java-memory trap ({@link GradientGuard}), for the plain and
 * the iterative-refinement variant.
 */
public class DeformableGraphScalarSafetyTest {

    @Test
    public void gradientsDoNotDependOnFreedJavaMemory() {
        for (boolean refine : new boolean[] {false, true}) {
            Engine.getInstance().setRandomSeed(3);
            try (NDManager model = NDManager.newBaseManager()) {
                DeformableDetr detr = new DeformableDetr(DeformableDetrConfig.miniStudent(3).withLayers(1, 2)
                        .withQueries(6).withBoxRefine(refine));
                detr.initialize(model, DataType.FLOAT32, new Shape(2, 3, 64, 64), new Shape(2, 64, 64));
                GradientGuard.assertScribbleInvariant(detr,
                        m -> m.randomNormal(new Shape(4, 2 * detr.config().hiddenDim())));
            }
        }
    }
}
