package org.detrkd.detr.adamixer;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.detrkd.detr.model.GradientGuard;
import org.testng.annotations.Test;

/**
 * Guards the whole AdaMixer training graph (backbone, neck, 3D sampling, adaptive mixing, IoF self-attention, the extra
 * query group, criterion) against the DJL freed-Java-memory trap ({@link GradientGuard}).
 */
public class AdaMixerGraphSafetyTest {

    @Test
    public void gradientsDoNotDependOnFreedJavaMemory() {
        Engine.getInstance().setRandomSeed(3);
        try (NDManager model = NDManager.newBaseManager()) {
            AdaMixer detr = new AdaMixer(AdaMixerTest.tinyConfig(3));
            detr.initialize(model, DataType.FLOAT32, new Shape(2, 3, 64, 64), new Shape(2, 64, 64));
            GradientGuard.assertScribbleInvariant(detr, detr::queryGroup);
        }
    }
}
