package org.detrkd.baselines.kd;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.detrkd.detr.backbone.ResNetSpec;
import org.detrkd.detr.conditional.ConditionalDetrConfig;
import org.detrkd.detr.model.DetrOutputs;

/**
 * Which feature maps a CNN-era feature-distillation baseline (FitNet, FGD, MGD, FKD, FGFI) reads from a DETR
 * detector's {@link DetrOutputs}: the one table of the suite (copied into the README by {@link #describe()}).
 *
 * <p>DETRs have no FPN in front of a dense head, so "the FPN levels" of the CNN papers has to be mapped. The default,
 * {@link #BACKBONE}, reads the multi-level backbone maps C3, C4, C5 (strides 8, 16, 32), the closest analogue of the
 * FPN inputs and what {@code DetrOutputs.features} holds (for AdaMixer: its neck levels; note that
 * {@code DistillationContext} and {@code DistillationTask} accept Conditional DETR only today, so the AdaMixer column
 * of the table is what the wrappers will read once they accept it; {@link #strides} then needs the neck's 4th level). The two other sources are
 * single-level {@code [B, d, H, W]} views of the encoder's input (the projected C5, DETRDistill's released "neck"
 * features) and of its output (the memory, what CLoCKDistill distils). Every method takes the option
 * {@code source=backbone|encoder-input|memory}.
 */
public enum FeatureSource {

    /** Backbone levels C3-C5 {@code [B, C_l, H_l, W_l]} (AdaMixer: its neck levels). */
    BACKBONE("backbone"),
    /** The projected C5 the encoder reads, {@code [B, S, d]} viewed as {@code [B, d, H, W]}. */
    ENCODER_INPUT("encoder-input"),
    /** The encoder output (memory), {@code [B, S, d]} viewed as {@code [B, d, H, W]}. */
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

    /** @return the maps of this source, per level {@code [B, C_l, H_l, W_l]} */
    public List<NDArray> levels(DetrOutputs o) {
        return switch (this) {
            case BACKBONE -> o.features();
            case ENCODER_INPUT -> List.of(asMap(o.encoderInput(), o.memoryHeight(), o.memoryWidth()));
            case MEMORY -> List.of(asMap(o.memory(), o.memoryHeight(), o.memoryWidth()));
        };
    }

    /** @return the padding masks of the levels, per level {@code [B, H_l, W_l]} boolean (true = padding) */
    public List<NDArray> masks(DetrOutputs o) {
        if (this == BACKBONE) {
            return o.featureMasks();
        }
        long b = o.memoryMask().getShape().get(0);
        return List.of(o.memoryMask().reshape(b, o.memoryHeight(), o.memoryWidth()));
    }

    /** @return the channels per level of a detector with these settings */
    public int[] channels(ConditionalDetrConfig c) {
        return this == BACKBONE ? c.backbone().featureChannels() : new int[] {c.hiddenDim()};
    }

    /** @return pixels per cell per level (C3-C5: 8, 16, 32; encoder maps: 32) */
    public int[] strides(ConditionalDetrConfig c) {
        if (this != BACKBONE) {
            return new int[] {32};
        }
        return ResNetSpec.FEATURE_STRIDES.stream().mapToInt(Integer::intValue).toArray();
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
     * @return the README table (Markdown): per method, what it reads on Conditional DETR and on AdaMixer by default,
     *     and the alternatives
     */
    public static String describe() {
        List<String> rows = new ArrayList<>();
        rows.add("| method | Conditional DETR (default `source=backbone`) | AdaMixer | other sources (`--kd-option "
                + "source=...`) |");
        rows.add("|---|---|---|---|");
        String[][] what = {
            {"fitnet", "C3, C4, C5 (strides 8/16/32); per level a 1x1 adapter student->teacher channels, MSE"},
            {"fgd", "C3, C4, C5; GT boxes rasterised per level; 1x1 align only where channels differ; GcBlocks per level"},
            {"mgd", "C3, C4, C5; random spatial mask (ratio 0.65) per level; 1x1 align where channels differ"},
            {"fkd", "C3, C4, C5; 1x1 align where channels differ (ours: the official channel mask needs equal widths)"},
            {"fgfi", "C3, C4, C5; virtual RetinaNet anchors (9 per cell) at strides 8/16/32; 3x3+ReLU adapter"},
        };
        for (String[] r : what) {
            rows.add(String.format(Locale.ROOT, "| %s | %s | its neck levels (`DetrOutputs.features`: d channels, strides 8/16/32[/64]) once the "
                    + "distill engine accepts AdaMixer (today: Conditional DETR only) | %s |", r[0],
                    r[1], "encoder-input (projected C5, 1 level, stride 32), memory (encoder output, 1 level, stride 32)"));
        }
        rows.add("| detrdistill | encoder input (projected C5) for FD; teacher queries for AD; predictions for LD "
                + "| neck levels (same caveat) | - |");
        rows.add("| clockdistill | encoder output (memory), weighted up inside GT boxes; GT-box queries (needs the "
                + "teacher-query hook, see report) | - (no encoder) | - |");
        return String.join("\n", rows) + "\n";
    }

    /** @return all option values, for messages */
    static String known() {
        return String.join(", ", Arrays.stream(values()).map(FeatureSource::option).toList());
    }
}
