package org.detrkd.detr.conditional;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.detrkd.detr.model.GradientGuard;
import org.testng.annotations.Test;

/**
 * Guards the whole Conditional DETR training graph (backbone, transformer, heads, extra query group, criterion) against
 * the DJL freed-Java-memory trap described in {@link org.detrkd.detr.util.Scalars} ({@link GradientGuard}).
 */
public class GraphScalarSafetyTest {

    @Test
    public void gradientsDoNotDependOnFreedJavaMemory() {
        Engine.getInstance().setRandomSeed(3);
        try (NDManager model = NDManager.newBaseManager()) {
            ConditionalDetr detr = new ConditionalDetr(ConditionalDetrConfig.miniStudent(3).withLayers(1, 2)
                    .withQueries(6));
            detr.initialize(model, DataType.FLOAT32, new Shape(2, 3, 64, 64), new Shape(2, 64, 64));
            GradientGuard.assertScribbleInvariant(detr,
                    m -> m.randomNormal(new Shape(4, detr.config().hiddenDim())));
        }
    }
}
