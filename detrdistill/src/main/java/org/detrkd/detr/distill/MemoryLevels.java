package org.detrkd.detr.distill;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import org.detrkd.detr.model.DetrOutputs;

/**
 * Splits a detector's flattened {@code memory} / {@code encoderInput} ({@code [B, S, d]}) and {@code memoryMask}
 * ({@code [B, S]}) into per-level maps, for the methods that need spatial maps of the encoder (the feature baselines'
 * {@code source=memory|encoder-input}, CLoCKDistill's ground-truth weights). Conditional DETR and AdaMixer have one
 * level ({@code memoryHeight x memoryWidth}); Deformable DETR's memory covers all its levels in order, reported as
 * {@code (S, 1)}: their shapes are the backbone levels' for strides the backbone has (read from
 * {@code DetrOutputs.features}) and {@code ceil(h / 2) x ceil(w / 2)} of the level before for the extra stride-2
 * levels, as {@code DeformableDetr.levelShapes}.
 */
public final class MemoryLevels {

    private MemoryLevels() {}

    /**
     * @param o a detector's outputs
     * @param d that detector's description
     * @return per level {@code (H_l, W_l)}, summing to the memory's S
     */
    public static List<int[]> shapes(DetrOutputs o, DetectorDescription d) {
        if (d.memoryLevels() == 1) {
            return List.of(new int[] {o.memoryHeight(), o.memoryWidth()});
        }
        int[] strides = d.memoryStrides();
        int[] featureStrides = d.featureStrides();
        List<int[]> out = new ArrayList<>();
        for (int l = 0; l < strides.length; l++) {
            int[] hw = null;
            for (int i = 0; i < featureStrides.length; i++) {
                if (featureStrides[i] == strides[l]) {
                    Shape s = o.features().get(i).getShape();
                    hw = new int[] {(int) s.get(2), (int) s.get(3)};
                }
            }
            if (hw == null) {
                int[] prev = out.get(l - 1);
                hw = new int[] {(prev[0] + 1) / 2, (prev[1] + 1) / 2};
            }
            out.add(hw);
        }
        long total = out.stream().mapToLong(hw -> (long) hw[0] * hw[1]).sum();
        if (total != o.memory().getShape().get(1)) {
            throw new IllegalArgumentException("memory of " + o.memory().getShape().get(1) + " positions does not "
                    + "split into levels of " + total + " for " + d);
        }
        return out;
    }

    /**
     * @param seq {@code [B, S, d]} row-major over each level, levels in order
     * @param shapes the level shapes
     * @return per level {@code [B, d, H_l, W_l]}
     */
    public static List<NDArray> maps(NDArray seq, List<int[]> shapes) {
        long b = seq.getShape().get(0);
        long c = seq.getShape().get(2);
        List<NDArray> out = new ArrayList<>();
        long at = 0;
        for (int[] hw : shapes) {
            long n = (long) hw[0] * hw[1];
            NDArray part = shapes.size() == 1 ? seq : seq.get(":, " + at + ":" + (at + n));
            out.add(part.transpose(0, 2, 1).reshape(b, c, hw[0], hw[1]));
            at += n;
        }
        return out;
    }

    /**
     * @param mask {@code [B, S]} boolean, true = padding
     * @param shapes the level shapes
     * @return per level {@code [B, H_l, W_l]}
     */
    public static List<NDArray> masks(NDArray mask, List<int[]> shapes) {
        long b = mask.getShape().get(0);
        List<NDArray> out = new ArrayList<>();
        long at = 0;
        for (int[] hw : shapes) {
            long n = (long) hw[0] * hw[1];
            NDArray part = shapes.size() == 1 ? mask : mask.get(":, " + at + ":" + (at + n));
            out.add(part.reshape(b, hw[0], hw[1]));
            at += n;
        }
        return out;
    }
}
