package org.detrkd.detr.train;

import static org.testng.Assert.assertEquals;

import org.detrkd.detr.backbone.ResNetSpec;
import org.detrkd.detr.conditional.ConditionalDetrConfig;
import org.testng.annotations.Test;

/** The analytic count against published numbers and a hand count. */
public class FlopCountTest {

    @Test
    public void resnetBackbonesMatchPublishedMacs() {
        // torchvision at 224 x 224: ResNet-50 4.09 GMAC and ResNet-18 1.82 GMAC, both including the 2.0 / 0.5 MMAC fc
        assertEquals(FlopCount.backboneMacs(ResNetSpec.resnet50(), 224, 224)[0] / 1e9, 4.09 - 0.002, 0.03);
        assertEquals(FlopCount.backboneMacs(ResNetSpec.resnet18(), 224, 224)[0] / 1e9, 1.82 - 0.0005, 0.02);
        double[] r50 = FlopCount.backboneMacs(ResNetSpec.resnet50(), 224, 224);
        assertEquals(r50[1], 784.0); // 28 x 28 C3 positions
        assertEquals(r50[2], 196.0); // 14 x 14 C4 positions
        assertEquals(r50[3], 49.0); // 7 x 7 C5 positions
        double[] mini = FlopCount.backboneMacs(ResNetSpec.miniStudent(), 128, 128);
        assertEquals(mini[2], 64.0); // 8 x 8 C4 positions (what the mini presets read)
        assertEquals(mini[3], 16.0);
    }

    @Test
    public void transformerCountFollowsTheFeatureLevelItReads() {
        ConditionalDetrConfig c4 = ConditionalDetrConfig.miniStudent(8);
        ConditionalDetrConfig c5 = c4.withFeatureLevel(5);
        double[] bb = FlopCount.backboneMacs(c4.backbone(), 128, 128);
        int[] ch = c4.backbone().featureChannels();
        assertEquals(FlopCount.forwardMacs(c4, 1, 128, 128) - FlopCount.forwardMacs(c5, 1, 128, 128),
                ch[1] * c4.hiddenDim() * bb[2] + FlopCount.transformerMacs(c4, bb[2])
                        - ch[2] * c5.hiddenDim() * bb[3] - FlopCount.transformerMacs(c5, bb[3]), 1e-6);
    }

    @Test
    public void encoderLayerCountByHand() {
        // one encoder layer, one decoder layer, 1 query, S = 4, d = 2, f = 3, K = 1
        ConditionalDetrConfig c = new ConditionalDetrConfig(1, 2, 1, 3, 1, 1, 1, 0f, ResNetSpec.miniStudent());
        double enc = 4 * 4 * 4 + 2 * 16 * 2 + 2 * 4 * 2 * 3; // 4 S d^2 + 2 S^2 d + 2 S d f
        double dec = (6 * 4 + 2 * 2) + (3 * 4 + 3 * 4 * 4 + 2 * 4 * 2 + 4 * 2 + 4) + 2 * 2 * 3;
        double heads = 2 + 2 * 4 + 4 * 2;
        double ref = 4 + 4;
        assertEquals(FlopCount.transformerMacs(c, 4), enc + dec + heads + ref, 1e-9);
    }
}
