package org.detrkd.detr.engine;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.expectThrows;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.util.List;
import org.detrkd.datasets.io.InputException;
import org.testng.annotations.Test;

/** What {@code --devices auto|N} resolves to: the GPU count {@code auto} picks, and the CPU on a machine without one. */
public class DevicesTest {

    @Test
    public void autoTakesTheLargestCountThatSplitsTheBatch() {
        assertEquals(Devices.auto(0, n -> true), 0, "no GPU: the CPU");
        assertEquals(Devices.auto(1, n -> true), 1);
        assertEquals(Devices.auto(8, n -> true), 8, "every GPU");
        assertEquals(Devices.auto(8, n -> 12 % n == 0), 6, "batch 12 on 8 GPUs: 6 shards of 2");
        assertEquals(Devices.auto(4, n -> 3 % n == 0), 3);
        assertEquals(Devices.auto(4, n -> 5 % n == 0), 1, "a prime batch: one GPU");
    }

    @Test
    public void autoIsTheCpuWhereTheEngineSeesNoGpu() {
        if (Engine.getInstance().getGpuCount() > 0) {
            throw new org.testng.SkipException("this machine has GPUs");
        }
        assertEquals(Devices.select(Devices.AUTO, n -> true), List.of(Device.cpu()));
        assertEquals(Devices.select("0", n -> true), List.of(Device.cpu()));
    }

    @Test
    public void aValueThatIsNeitherAutoNorACountIsAnInputError() {
        InputException e = expectThrows(InputException.class, () -> Devices.select("gpu", n -> true));
        assertEquals(e.getMessage(), "--devices: must be auto, 0 (CPU) or a number of GPUs, got 'gpu'");
    }
}
