package org.detrkd.baselines.kd;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.detrkd.detr.conditional.ConditionalDetrConfig;
import org.detrkd.detr.distill.DetectorDescription;
import org.detrkd.detr.distill.MemoryLevels;
import org.detrkd.detr.model.DetrOutputs;

/**
 * Which feature maps a CNN-era feature-distillation baseline (FitNet, FGD, MGD, FKD, FGFI) reads from a DETR
 * detector's {@link DetrOutputs}: the one table of the suite (copied into the README by {@link #describe()}).
 *
 * <p>DETRs have no FPN in front of a dense head, so "the FPN levels" of the CNN papers has to be mapped. The default,
 * {@link #BACKBONE}, reads the multi-level maps {@code DetrOutputs.features} holds: for Conditional and Deformable DETR
 * the backbone's C3, C4, C5 (strides 8, 16, 32), the closest analogue of the FPN inputs; for AdaMixer its neck levels
 * (d channels, strides 8, 16, 32 [, 64]), which are its FPN. The two other sources are views of the encoder's input
 * (Conditional DETR: the projected C4/C5, DETRDistill's released "neck" features; Deformable DETR: its projected
 * levels) and of its output (the memory, what CLoCKDistill distils), as {@code [B, d, H_l, W_l]} maps: one level for
 * Conditional DETR, every level for Deformable DETR ({@link MemoryLevels}); AdaMixer has no encoder and refuses them.
 * Channels and strides come from the {@link DetectorDescription}. Every method takes the option
 * {@code source=backbone|encoder-input|memory}.
 */
public enum FeatureSource {

    /** {@code DetrOutputs.features}: backbone levels C3-C5 {@code [B, C_l, H_l, W_l]} (AdaMixer: its neck levels). */
    BACKBONE("backbone"),
    /** The projected map(s) the encoder reads, {@code [B, S, d]} viewed as {@code [B, d, H_l, W_l]} per level. */
    ENCODER_INPUT("encoder-input"),
    /** The encoder output (memory), {@code [B, S, d]} viewed as {@code [B, d, H_l, W_l]} per level. */
    MEMORY("memory");

    private final String option;

    FeatureSource(String option) {
        this.option = option;
    }

    /** @return the option value naming this source */
    public String option() {
        return option;
    }

    /**
     * @param option {@code backbone}, {@code encoder-input} or {@code memory}
     * @return the source
     * @throws IllegalArgumentException for another value, listing the known ones
     */
    public static FeatureSource of(String option) {
        for (FeatureSource s : values()) {
            if (s.option.equals(option)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown feature source '" + option + "'; known: backbone, encoder-input, "
                + "memory");
    }

    /**
     * @param o a detector's outputs
     * @param d that detector's description
     * @return the maps of this source, per level {@code [B, C_l, H_l, W_l]}
     * @throws IllegalArgumentException for an encoder source on a detector without an encoder
     */
    public List<NDArray> levels(DetrOutputs o, DetectorDescription d) {
        if (this == BACKBONE || d.memoryLevels() == 1) {
            checkEncoder(d);
            return levels(o);
        }
        return MemoryLevels.maps(this == MEMORY ? o.memory() : o.encoderInput(), MemoryLevels.shapes(o, d));
    }

    /** @return the padding masks of {@link #levels(DetrOutputs, DetectorDescription)}, each {@code [B, H_l, W_l]} */
    public List<NDArray> masks(DetrOutputs o, DetectorDescription d) {
        if (this == BACKBONE || d.memoryLevels() == 1) {
            checkEncoder(d);
            return masks(o);
        }
        return MemoryLevels.masks(o.memoryMask(), MemoryLevels.shapes(o, d));
    }

    /** @return the maps of this source for a single-level memory, per level {@code [B, C_l, H_l, W_l]} */
    public List<NDArray> levels(DetrOutputs o) {
        return switch (this) {
            case BACKBONE -> o.features();
            case ENCODER_INPUT -> List.of(asMap(o.encoderInput(), o.memoryHeight(), o.memoryWidth()));
            case MEMORY -> List.of(asMap(o.memory(), o.memoryHeight(), o.memoryWidth()));
        };
    }

    /** @return the padding masks of the levels (single-level memory), per level {@code [B, H_l, W_l]} boolean */
    public List<NDArray> masks(DetrOutputs o) {
        if (this == BACKBONE) {
            return o.featureMasks();
        }
        long b = o.memoryMask().getShape().get(0);
        return List.of(o.memoryMask().reshape(b, o.memoryHeight(), o.memoryWidth()));
    }

    /**
     * @param c a detector's description
     * @return the channels per level it has in this source
     * @throws IllegalArgumentException for an encoder source on a detector without an encoder (AdaMixer)
     */
    public int[] channels(DetectorDescription c) {
        checkEncoder(c);
        if (this == BACKBONE) {
            return c.featureChannels();
        }
        int[] out = new int[c.memoryLevels()];
        Arrays.fill(out, c.hiddenDim());
        return out;
    }

    /**
     * @param c a detector's description
     * @return pixels per cell per level (C3-C5: 8, 16, 32; Conditional DETR's encoder map: 16 or 32 as the level it
     *     reads; Deformable DETR's: 8, 16, 32, 64)
     */
    public int[] strides(DetectorDescription c) {
        checkEncoder(c);
        return this == BACKBONE ? c.featureStrides() : c.memoryStrides();
    }

    /** @return {@link #channels(DetectorDescription)} of a Conditional DETR */
    public int[] channels(ConditionalDetrConfig c) {
        return channels(DetectorDescription.of(c));
    }

    /** @return {@link #strides(DetectorDescription)} of a Conditional DETR */
    public int[] strides(ConditionalDetrConfig c) {
        return strides(DetectorDescription.of(c));
    }

    private void checkEncoder(DetectorDescription c) {
        if (this != BACKBONE && !c.hasEncoder()) {
            throw new IllegalArgumentException("source=" + option + " reads an encoder, which " + c.detector()
                    + " does not have: use source=backbone (its neck levels)");
        }
    }

    /** {@code [B, S, d]} row-major over {@code H x W} to {@code [B, d, H, W]}. */
    static NDArray asMap(NDArray seq, int h, int w) {
        long b = seq.getShape().get(0);
        long d = seq.getShape().get(2);
        return seq.transpose(0, 2, 1).reshape(b, d, h, w);
    }

    /** The default source of each baseline (all: {@link #BACKBONE}), in registry order. */
    static final List<String> METHODS = List.of("fitnet", "fgd", "mgd", "fkd", "fgfi");

    /**
     * @return the README table (Markdown): per method, what it reads on each detector by default, and the
     *     alternatives
     */
    public static String describe() {
        List<String> rows = new ArrayList<>();
        rows.add("| method | Conditional / Deformable DETR (default `source=backbone`) | AdaMixer | other sources "
                + "(`--kd-option source=...`) |");
        rows.add("|---|---|---|---|");
        String[][] what = {
            {"fitnet", "C3, C4, C5 (strides 8/16/32); per level a 1x1 adapter student->teacher channels, MSE"},
            {"fgd", "C3, C4, C5; GT boxes rasterised per level; 1x1 align only where channels differ; GcBlocks per level"},
            {"mgd", "C3, C4, C5; random spatial mask (ratio 0.65) per level; 1x1 align where channels differ"},
            {"fkd", "C3, C4, C5; 1x1 align where channels differ (ours: the official channel mask needs equal widths)"},
            {"fgfi", "C3, C4, C5; virtual RetinaNet anchors (9 per cell) at strides 8/16/32; 3x3+ReLU adapter"},
        };
        for (String[] r : what) {
            rows.add(String.format(Locale.ROOT, "| %s | %s | its neck levels (`DetrOutputs.features`: d channels, "
                    + "strides 8/16/32[/64]) | %s |", r[0], r[1], "encoder-input, memory (the encoder's input / "
                    + "output: Conditional DETR 1 level at the stride it reads; Deformable DETR all 4 levels, "
                    + "strides 8-64; AdaMixer: refused, no encoder)"));
        }
        rows.add("| detrdistill | FD: encoder output (memory; Deformable: all levels); AD: teacher queries "
                + "(Deformable: query_pos + content); LD: predictions | FD: neck levels; AD: content vectors + "
                + "initial boxes; LD: predictions | FD `fd-feature=encoder-input` |");
        rows.add("| clockdistill | encoder output (memory; Deformable: all levels), weighted up inside GT boxes; "
                + "GT-box queries | refused (no encoder) | - |");
        return String.join("\n", rows) + "\n";
    }

    /** @return all option values, for messages */
    static String known() {
        return String.join(", ", Arrays.stream(values()).map(FeatureSource::option).toList());
    }
}
