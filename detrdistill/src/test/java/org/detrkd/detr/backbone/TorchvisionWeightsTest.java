package org.detrkd.detr.backbone;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;

import org.testng.annotations.Test;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

public class TorchvisionWeightsTest {

    private static ResNet initialised(NDManager m, boolean frozen) {
        ResNet net = new ResNet(ResNetSpec.miniStudent().withFrozenBatchNorm(frozen));
        net.initialize(m, DataType.FLOAT32, new Shape(1, 3, 64, 64));
        return net;
    }

    /** Writes {@code net}'s parameters under torchvision names, with random values, plus torchvision extras. */
    private static Path writeSafetensors(NDManager m, ResNet net, Path dir) throws Exception {
        NDList list = new NDList();
        for (Map.Entry<String, Parameter> e : net.torchvisionParameters().entrySet()) {
            NDArray a = m.randomUniform(0.5f, 1.5f, e.getValue().getArray().getShape());
            a.setName(e.getKey());
            list.add(a);
        }
        NDArray fc = m.zeros(new Shape(10, 128));
        fc.setName("fc.weight");
        NDArray tracked = m.create(new long[] {7});
        tracked.setName("bn1.num_batches_tracked");
        list.add(fc);
        list.add(tracked);
        Path file = dir.resolve("w.safetensors");
        try (OutputStream out = Files.newOutputStream(file)) {
            list.encode(out, NDList.Encoding.SAFETENSORS);
        }
        return file;
    }

    @Test
    public void roundTripBySafetensorsCopiesEveryParameterByName() throws Exception {
        Path dir = Files.createTempDirectory("tvw");
        for (boolean frozen : new boolean[] {true, false}) {
            try (NDManager m = NDManager.newBaseManager()) {
                ResNet source = initialised(m, frozen);
                Path file = writeSafetensors(m, source, dir);
                NDList written;
                try (var in = Files.newInputStream(file)) {
                    written = NDList.decode(m, in);
                }
                ResNet target = initialised(m, frozen);
                TorchvisionWeights.load(target, file, m);
                Map<String, Parameter> params = target.torchvisionParameters();
                int compared = 0;
                for (NDArray a : written) {
                    Parameter p = params.get(a.getName());
                    if (p != null) {
                        assertTrue(Arrays.equals(p.getArray().toFloatArray(), a.toFloatArray()), a.getName());
                        compared++;
                    }
                }
                assertEquals(compared, params.size());
                // trainable parameters keep requiring gradients after the in-place copy
                assertTrue(params.get("conv1.weight").getArray().hasGradient());
            }
        }
    }

    @Test
    public void mismatchListsMissingUnexpectedAndWrongShape() {
        try (NDManager m = NDManager.newBaseManager()) {
            ResNet net = initialised(m, true);
            NDList list = new NDList();
            for (Map.Entry<String, Parameter> e : net.torchvisionParameters().entrySet()) {
                if (e.getKey().equals("layer3.0.bn2.running_mean")) {
                    continue;
                }
                Shape shape = e.getKey().equals("conv1.weight") ? new Shape(16, 3, 7, 7) : e.getValue().getShape();
                NDArray a = m.zeros(shape);
                a.setName(e.getKey());
                list.add(a);
            }
            NDArray extra = m.zeros(new Shape(3));
            extra.setName("layer5.0.conv1.weight");
            list.add(extra);
            float before = net.torchvisionParameters().get("bn1.running_var").getArray().getFloat(0);
            IllegalArgumentException e = expectThrows(IllegalArgumentException.class,
                    () -> TorchvisionWeights.load(net, list));
            assertEquals(e.getMessage(), "torchvision weights do not fit mini-student: missing "
                    + "[layer3.0.bn2.running_mean], unexpected [layer5.0.conv1.weight], wrong shape "
                    + "[conv1.weight (16, 3, 7, 7) (expected (16, 3, 5, 5))]");
            // nothing was copied
            assertEquals(net.torchvisionParameters().get("bn1.running_var").getArray().getFloat(0), before);
        }
    }
}
