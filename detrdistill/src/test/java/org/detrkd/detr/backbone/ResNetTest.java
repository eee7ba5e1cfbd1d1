package org.detrkd.detr.backbone;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;

import org.testng.annotations.Test;

import java.util.Map;

public class ResNetTest {

    /** Parameters as torchvision counts them: everything but BatchNorm running statistics. */
    static long torchvisionCount(ResNet net) {
        long n = 0;
        for (Map.Entry<String, Parameter> e : net.torchvisionParameters().entrySet()) {
            if (!e.getKey().endsWith("running_mean") && !e.getKey().endsWith("running_var")) {
                n += e.getValue().getArray().size();
            }
        }
        return n;
    }

    private static long countAfterInit(ResNetSpec spec) {
        try (NDManager m = NDManager.newBaseManager()) {
            ResNet net = new ResNet(spec);
            net.initialize(m, DataType.FLOAT32, new Shape(1, 3, 64, 64));
            long direct = 0;
            for (var p : net.getParameters().values()) {
                direct += p.getArray().size();
            }
            long tv = torchvisionCount(net);
            // every DJL parameter is reachable under a torchvision name
            assertEquals(net.torchvisionParameters().size(), net.getParameters().size());
            assertTrue(direct > tv);
            return tv;
        }
    }

    @Test
    public void resnet18CountEqualsTorchvisionWithoutFc() {
        assertEquals(countAfterInit(ResNetSpec.resnet18()), 11_176_512L);
    }

    @Test
    public void resnet50CountEqualsTorchvisionWithoutFc() {
        assertEquals(countAfterInit(ResNetSpec.resnet50()), 23_508_032L);
    }

    @Test
    public void miniCounts() {
        assertEquals(countAfterInit(ResNetSpec.miniTeacher()), 2_796_576L);
        assertEquals(countAfterInit(ResNetSpec.miniStudent()), 308_304L);
    }

    @Test
    public void torchvisionNames() {
        ResNet net = new ResNet(ResNetSpec.resnet50());
        Map<String, Parameter> p = net.torchvisionParameters();
        for (String name : new String[] {"conv1.weight", "bn1.weight", "bn1.bias", "bn1.running_mean",
            "bn1.running_var", "layer1.0.conv3.weight", "layer1.0.downsample.0.weight",
            "layer1.0.downsample.1.running_var", "layer4.2.bn3.bias"}) {
            assertTrue(p.containsKey(name), name);
        }
        assertFalse(p.containsKey("layer1.1.downsample.0.weight"));
        assertFalse(p.containsKey("fc.weight"));
    }

    @Test
    public void featureLevelsHaveStrides8To32() {
        for (ResNetSpec spec : new ResNetSpec[] {ResNetSpec.miniStudent(), ResNetSpec.miniTeacher()}) {
            try (NDManager m = NDManager.newBaseManager()) {
                ResNet net = new ResNet(spec);
                Shape in = new Shape(2, 3, 128, 96);
                net.initialize(m, DataType.FLOAT32, in);
                NDList out = net.forward(new ParameterStore(m, false), new NDList(m.randomNormal(in)), false);
                int[] ch = spec.featureChannels();
                int[] strides = {8, 16, 32};
                assertEquals(out.size(), 3);
                Shape[] declared = net.getOutputShapes(new Shape[] {in});
                for (int l = 0; l < 3; l++) {
                    Shape expected = new Shape(2, ch[l], 128 / strides[l], 96 / strides[l]);
                    assertEquals(out.get(l).getShape(), expected);
                    assertEquals(declared[l], expected);
                }
            }
        }
    }

    @Test
    public void frozenBatchNormUsesStoredStatisticsAndIsNotTrainable() {
        try (NDManager m = NDManager.newBaseManager()) {
            FrozenBatchNorm2d bn = new FrozenBatchNorm2d(2);
            bn.initialize(m, DataType.FLOAT32, new Shape(1, 2, 1, 1));
            Map<String, Parameter> p = Map.of("weight", bn.getDirectParameters().get("weight"),
                    "bias", bn.getDirectParameters().get("bias"),
                    "running_mean", bn.getDirectParameters().get("running_mean"),
                    "running_var", bn.getDirectParameters().get("running_var"));
            p.get("weight").getArray().setRequiresGradient(false);
            p.get("weight").getArray().set(new ai.djl.ndarray.index.NDIndex(":"), m.create(new float[] {2f, 0.5f}));
            p.get("bias").getArray().set(new ai.djl.ndarray.index.NDIndex(":"), m.create(new float[] {1f, -1f}));
            p.get("running_mean").getArray().set(new ai.djl.ndarray.index.NDIndex(":"), m.create(new float[] {3f, 0f}));
            p.get("running_var").getArray().set(new ai.djl.ndarray.index.NDIndex(":"), m.create(new float[] {4f, 1f}));
            for (Parameter q : p.values()) {
                assertFalse(q.requiresGradient(), q.getName());
            }
            NDArray x = m.create(new float[] {5f, 7f, 2f, 4f}, new Shape(1, 2, 1, 2));
            float[] y = bn.forward(new ParameterStore(m, false), new NDList(x), true).singletonOrThrow().toFloatArray();
            double s0 = 2 / Math.sqrt(4 + 1e-5);
            double s1 = 0.5 / Math.sqrt(1 + 1e-5);
            double[] expected = {(5 - 3) * s0 + 1, (7 - 3) * s0 + 1, 2 * s1 - 1, 4 * s1 - 1};
            for (int i = 0; i < 4; i++) {
                assertEquals(y[i], expected[i], 1e-5);
            }
        }
    }

    @Test
    public void isFrozenBufferFollowsTheBatchNormMode() {
        ResNet frozen = new ResNet(ResNetSpec.miniStudent().withFrozenBatchNorm(true));
        ResNet trainable = new ResNet(ResNetSpec.miniStudent());
        assertTrue(frozen.isFrozenBuffer(frozen.torchvisionParameters().get("bn1.weight")));
        assertFalse(trainable.isFrozenBuffer(trainable.torchvisionParameters().get("bn1.weight")));
        assertTrue(trainable.isFrozenBuffer(trainable.torchvisionParameters().get("layer2.0.bn1.running_var")));
        assertFalse(frozen.isFrozenBuffer(frozen.torchvisionParameters().get("conv1.weight")));
    }
}
