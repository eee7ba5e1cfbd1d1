package org.detrkd.detr.backbone;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Depth and width of a {@link ResNet}: the block type, the number of residual blocks in each of the four stages, the
 * width of the first stage (stage {@code i} has {@code baseWidth * 2^i} inner channels, times 4 at the output of a
 * bottleneck stage), the stem (a {@code stemKernel x stemKernel} stride-2 convolution with {@code stemWidth} filters,
 * BatchNorm, ReLU and a 3x3 stride-2 max pool, so stage 1 runs at stride 4) and whether BatchNorm is frozen.
 *
 * <p>The torchvision presets ({@link #resnet18()} .. {@link #resnet101()}) have exactly torchvision's shapes, so their
 * weights can be imported by name with {@link TorchvisionWeights}. The mini presets are for 128-pixel images:
 *
 * <ul>
 *   <li>{@code mini-teacher}: basic blocks [2, 2, 2, 2], widths 32-64-128-256, stem 5x5 with 32 filters (2,796,576
 *       parameters, a ResNet-18 at half width);
 *   <li>{@code mini-student}: basic blocks [1, 1, 1, 1], widths 16-32-64-128, stem 5x5 with 16 filters (308,304
 *       parameters, a ResNet-10 at quarter width).
 * </ul>
 *
 * @param name preset name, used in logs and reports
 * @param blockType basic (two 3x3 convolutions) or bottleneck (1x1, 3x3, 1x1 with expansion 4)
 * @param blocksPerStage residual blocks in each of the 4 stages, each at least 1
 * @param baseWidth inner width of stage 1
 * @param stemWidth filters of the stem convolution
 * @param stemKernel odd kernel size of the stem convolution (7 for torchvision)
 * @param frozenBatchNorm true: every BatchNorm is a {@link FrozenBatchNorm2d} (inference statistics, not trained)
 */
public record ResNetSpec(
        String name,
        BlockType blockType,
        int[] blocksPerStage,
        int baseWidth,
        int stemWidth,
        int stemKernel,
        boolean frozenBatchNorm) {

    /** The residual block family. */
    public enum BlockType {
        /** Two 3x3 convolutions, expansion 1 (ResNet-18/34). */
        BASIC(1),
        /** 1x1 reduce, 3x3 (stride here, as torchvision v1.5), 1x1 expand by 4 (ResNet-50/101). */
        BOTTLENECK(4);

        private final int expansion;

        BlockType(int expansion) {
            this.expansion = expansion;
        }

        /** @return output channels divided by inner channels of a block */
        public int expansion() {
            return expansion;
        }
    }

    /** Feature strides of the levels a {@link ResNet} returns: C3, C4, C5. */
    public static final List<Integer> FEATURE_STRIDES = List.of(8, 16, 32);

    /** Checks the settings. */
    public ResNetSpec {
        if (blocksPerStage == null || blocksPerStage.length != 4) {
            throw new IllegalArgumentException("blocksPerStage must have 4 entries, got " + Arrays.toString(blocksPerStage));
        }
        for (int n : blocksPerStage) {
            if (n < 1) {
                throw new IllegalArgumentException("every stage needs at least one block: " + Arrays.toString(blocksPerStage));
            }
        }
        if (baseWidth < 1 || stemWidth < 1 || stemKernel < 1 || stemKernel % 2 == 0) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "bad widths/stem: baseWidth %d, stemWidth %d, stemKernel %d (odd)", baseWidth, stemWidth, stemKernel));
        }
        blocksPerStage = blocksPerStage.clone();
    }

    @Override
    public int[] blocksPerStage() {
        return blocksPerStage.clone();
    }

    /** @return inner width of stage {@code stage} (0-based) */
    public int stageWidth(int stage) {
        return baseWidth << stage;
    }

    /** @return output channels of stage {@code stage} (0-based) */
    public int stageChannels(int stage) {
        return stageWidth(stage) * blockType.expansion();
    }

    /** @return channels of C3, C4, C5 (stages 2, 3, 4) */
    public int[] featureChannels() {
        return new int[] {stageChannels(1), stageChannels(2), stageChannels(3)};
    }

    /** @return the same spec with BatchNorm frozen or trainable */
    public ResNetSpec withFrozenBatchNorm(boolean frozen) {
        return new ResNetSpec(name, blockType, blocksPerStage, baseWidth, stemWidth, stemKernel, frozen);
    }

    /** @return torchvision ResNet-18 (11,176,512 parameters without fc), frozen BatchNorm as in DETR */
    public static ResNetSpec resnet18() {
        return new ResNetSpec("resnet18", BlockType.BASIC, new int[] {2, 2, 2, 2}, 64, 64, 7, true);
    }

    /** @return torchvision ResNet-34 (21,284,672 parameters without fc) */
    public static ResNetSpec resnet34() {
        return new ResNetSpec("resnet34", BlockType.BASIC, new int[] {3, 4, 6, 3}, 64, 64, 7, true);
    }

    /** @return torchvision ResNet-50 (23,508,032 parameters without fc) */
    public static ResNetSpec resnet50() {
        return new ResNetSpec("resnet50", BlockType.BOTTLENECK, new int[] {3, 4, 6, 3}, 64, 64, 7, true);
    }

    /** @return torchvision ResNet-101 (42,500,160 parameters without fc) */
    public static ResNetSpec resnet101() {
        return new ResNetSpec("resnet101", BlockType.BOTTLENECK, new int[] {3, 4, 23, 3}, 64, 64, 7, true);
    }

    /** @return the mini teacher backbone: basic [2,2,2,2], widths 32-64-128-256, trainable BatchNorm */
    public static ResNetSpec miniTeacher() {
        return new ResNetSpec("mini-teacher", BlockType.BASIC, new int[] {2, 2, 2, 2}, 32, 32, 5, false);
    }

    /** @return the mini student backbone: basic [1,1,1,1], widths 16-32-64-128, trainable BatchNorm */
    public static ResNetSpec miniStudent() {
        return new ResNetSpec("mini-student", BlockType.BASIC, new int[] {1, 1, 1, 1}, 16, 16, 5, false);
    }

    /**
     * @param name one of resnet18, resnet34, resnet50, resnet101, mini-teacher, mini-student
     * @return the preset
     * @throws IllegalArgumentException for an unknown name, listing the known ones
     */
    public static ResNetSpec preset(String name) {
        return switch (name) {
            case "resnet18" -> resnet18();
            case "resnet34" -> resnet34();
            case "resnet50" -> resnet50();
            case "resnet101" -> resnet101();
            case "mini-teacher" -> miniTeacher();
            case "mini-student" -> miniStudent();
            default -> throw new IllegalArgumentException("unknown backbone '" + name
                    + "'; known: resnet18, resnet34, resnet50, resnet101, mini-teacher, mini-student");
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ResNetSpec s && name.equals(s.name) && blockType == s.blockType
                && Arrays.equals(blocksPerStage, s.blocksPerStage) && baseWidth == s.baseWidth
                && stemWidth == s.stemWidth && stemKernel == s.stemKernel && frozenBatchNorm == s.frozenBatchNorm;
    }

    @Override
    public int hashCode() {
        return 31 * java.util.Objects.hash(name, blockType, baseWidth, stemWidth, stemKernel, frozenBatchNorm)
                + Arrays.hashCode(blocksPerStage);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "ResNetSpec[%s, %s, blocks %s, width %d, stem %dx%d/%d, frozenBN %b]", name,
                blockType, Arrays.toString(blocksPerStage), baseWidth, stemKernel, stemKernel, stemWidth, frozenBatchNorm);
    }
}
