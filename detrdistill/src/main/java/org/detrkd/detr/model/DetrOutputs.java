package org.detrkd.detr.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Everything a DETR-family detector exposes to its losses and to distillation, for one batch. DJL has no forward
 * hooks, so the detector returns this record explicitly (as an {@link NDList}, see the layout below).
 *
 * <p>Shapes: {@code L} decoder stages, {@code B} images, {@code Q} queries, {@code K} classes (sigmoid, no background
 * class), {@code d} model width, {@code H x W} the encoder's (C5) map, {@code S = H * W}.
 *
 * @param logits per-stage class logits {@code [L, B, Q, K]}; stage {@code L - 1} is the final prediction
 * @param boxes per-stage boxes {@code [L, B, Q, 4]}, normalised (cx, cy, w, h) in [0, 1] of the unpadded image
 * @param hidden per-stage decoder hidden states after the decoder's final LayerNorm {@code [L, B, Q, d]}
 * @param queryEmbed the learned query embeddings, on the batch's manager: Conditional DETR's query positions
 *     {@code [Q, d]}, Deformable DETR's positions then contents {@code [Q, 2d]}, AdaMixer's content vectors
 *     {@code [Q, d]} (its initial boxes are {@code queryBoxes}); {@link #queryPrior()} is the extra-group form
 * @param referencePoints Conditional DETR reference points {@code [B, Q, 2]} normalised (x, y)
 * @param memory encoder output {@code [B, S, d]}, row-major over {@code H x W}
 * @param memoryMask padding mask of the memory {@code [B, S]} boolean, true = padding
 * @param memoryHeight H of the encoder map
 * @param memoryWidth W of the encoder map
 * @param encoderInput the projected C5 the encoder reads {@code [B, S, d]} (the "neck output" of DETRDistill's code)
 * @param features backbone levels C3, C4, C5 {@code [B, C_l, H_l, W_l]} (strides 8, 16, 32)
 * @param featureMasks their padding masks {@code [B, H_l, W_l]} boolean, true = padding
 * @param extra the outputs of the extra query group, or null when none was given
 * @param queryBoxes AdaMixer's learned initial boxes {@code [Q, 4]} normalised (cx, cy, w, h), the second half of its
 *     query prior, or null for the detectors whose {@code queryEmbed} already is their whole query prior
 */
public record DetrOutputs(
        NDArray logits,
        NDArray boxes,
        NDArray hidden,
        NDArray queryEmbed,
        NDArray referencePoints,
        NDArray memory,
        NDArray memoryMask,
        int memoryHeight,
        int memoryWidth,
        NDArray encoderInput,
        List<NDArray> features,
        List<NDArray> featureMasks,
        ExtraGroup extra,
        NDArray queryBoxes) {

    /**
     * Outputs of an extra query group (e.g. a teacher's query embeddings, DETRDistill's assignment distillation),
     * decoded beside the main queries but isolated from them; {@code G} its size.
     *
     * @param logits {@code [L, B, G, K]}
     * @param boxes {@code [L, B, G, 4]} normalised cx, cy, w, h
     * @param hidden {@code [L, B, G, d]}
     * @param referencePoints {@code [B, G, 2]}
     */
    public record ExtraGroup(NDArray logits, NDArray boxes, NDArray hidden, NDArray referencePoints) {}

    /** NDList index of {@link #logits}. The layout is fixed; every array also carries its name. */
    public static final int LOGITS = 0;
    /** NDList index of {@link #boxes}. */
    public static final int BOXES = 1;
    /** NDList index of {@link #hidden}. */
    public static final int HIDDEN = 2;
    /** NDList index of {@link #queryEmbed}. */
    public static final int QUERY_EMBED = 3;
    /** NDList index of {@link #referencePoints}. */
    public static final int REFERENCE_POINTS = 4;
    /** NDList index of {@link #memory}. */
    public static final int MEMORY = 5;
    /** NDList index of {@link #memoryMask}. */
    public static final int MEMORY_MASK = 6;
    /** NDList index of the memory's spatial shape, an int64 array {@code [2]} = (H, W). */
    public static final int MEMORY_SHAPE = 7;
    /** NDList index of {@link #encoderInput}. */
    public static final int ENCODER_INPUT = 8;
    /** NDList index of the first feature level; level {@code l} is at {@code FEATURES + 2l}, its mask at +1. */
    public static final int FEATURES = 9;

    private static final String[] FIXED_NAMES = {"pred_logits", "pred_boxes", "hidden", "query_embed",
        "reference_points", "memory", "memory_mask", "memory_shape", "encoder_input"};
    private static final String QUERY_BOXES = "query_boxes";
    private static final String[] EXTRA_NAMES = {"extra_logits", "extra_boxes", "extra_hidden",
        "extra_reference_points"};

    /** The outputs of a detector whose {@code queryEmbed} is its whole query prior (no {@code queryBoxes}). */
    public DetrOutputs(NDArray logits, NDArray boxes, NDArray hidden, NDArray queryEmbed, NDArray referencePoints,
            NDArray memory, NDArray memoryMask, int memoryHeight, int memoryWidth, NDArray encoderInput,
            List<NDArray> features, List<NDArray> featureMasks, ExtraGroup extra) {
        this(logits, boxes, hidden, queryEmbed, referencePoints, memory, memoryMask, memoryHeight, memoryWidth,
                encoderInput, features, featureMasks, extra, null);
    }

    /** Checks the record. */
    public DetrOutputs {
        Objects.requireNonNull(logits, "logits");
        Objects.requireNonNull(boxes, "boxes");
        features = List.copyOf(features);
        featureMasks = List.copyOf(featureMasks);
        if (features.size() != featureMasks.size()) {
            throw new IllegalArgumentException(features.size() + " features but " + featureMasks.size() + " masks");
        }
    }

    /** @return the number of decoder stages L */
    public int numStages() {
        return (int) logits.getShape().get(0);
    }

    /** @return the final stage's logits {@code [B, Q, K]} */
    public NDArray predLogits() {
        return logits.get(numStages() - 1);
    }

    /** @return the final stage's boxes {@code [B, Q, 4]} */
    public NDArray predBoxes() {
        return boxes.get(numStages() - 1);
    }

    /**
     * The detector's query prior in the form its {@code extraQueries} input takes, so that a teacher's queries can be
     * fed to a student of the same detector as its extra group: Conditional DETR {@code [Q, d]} (query positions),
     * Deformable DETR {@code [Q, 2d]} (positions then contents), AdaMixer {@code [Q, d + 4]} (content vectors then
     * initial boxes, normalised cx, cy, w, h).
     *
     * @return {@link #queryEmbed}, with {@link #queryBoxes} appended when present
     */
    public NDArray queryPrior() {
        return queryBoxes == null ? queryEmbed : queryEmbed.concat(queryBoxes, 1);
    }

    /** @return whether an extra query group was decoded */
    public boolean hasExtra() {
        return extra != null;
    }

    /**
     * The fixed NDList layout: indices {@link #LOGITS} .. {@link #ENCODER_INPUT} (0-8) as the record's fields, with the
     * memory shape as an int64 {@code [2]} array at {@link #MEMORY_SHAPE}; then for each level {@code l} the feature at
     * {@code 9 + 2l} and its mask at {@code 10 + 2l}; then, with an extra group, its logits, boxes, hidden states and
     * reference points. Arrays are named {@code pred_logits, pred_boxes, hidden, query_embed, reference_points, memory,
     * memory_mask, memory_shape, encoder_input, feature.l, feature_mask.l, extra_logits, extra_boxes, extra_hidden,
     * extra_reference_points}; a non-null {@link #queryBoxes} comes last, named {@code query_boxes}.
     *
     * @return the outputs as an NDList (the shape array is created on the logits' manager)
     */
    public NDList toNDList() {
        NDList list = new NDList();
        NDArray shape = logits.getManager().create(new long[] {memoryHeight, memoryWidth});
        NDArray[] fixed = {logits, boxes, hidden, queryEmbed, referencePoints, memory, memoryMask, shape, encoderInput};
        for (int i = 0; i < fixed.length; i++) {
            list.add(named(fixed[i], FIXED_NAMES[i]));
        }
        for (int l = 0; l < features.size(); l++) {
            list.add(named(features.get(l), "feature." + l));
            list.add(named(featureMasks.get(l), "feature_mask." + l));
        }
        if (extra != null) {
            NDArray[] e = {extra.logits(), extra.boxes(), extra.hidden(), extra.referencePoints()};
            for (int i = 0; i < e.length; i++) {
                list.add(named(e[i], EXTRA_NAMES[i]));
            }
        }
        if (queryBoxes != null) {
            list.add(named(queryBoxes, QUERY_BOXES));
        }
        return list;
    }

    /**
     * @param list an NDList in the layout of {@link #toNDList()}
     * @return the record
     * @throws IllegalArgumentException if names or sizes do not follow the layout
     */
    public static DetrOutputs fromNDList(NDList list) {
        for (int i = 0; i < FIXED_NAMES.length; i++) {
            expectName(list, i, FIXED_NAMES[i]);
        }
        List<NDArray> features = new ArrayList<>();
        List<NDArray> masks = new ArrayList<>();
        int i = FEATURES;
        while (i < list.size() && ("feature." + features.size()).equals(list.get(i).getName())) {
            features.add(list.get(i));
            expectName(list, i + 1, "feature_mask." + masks.size());
            masks.add(list.get(i + 1));
            i += 2;
        }
        ExtraGroup extra = null;
        if (i < list.size() && !QUERY_BOXES.equals(list.get(i).getName())) {
            for (int e = 0; e < EXTRA_NAMES.length; e++) {
                expectName(list, i + e, EXTRA_NAMES[e]);
            }
            extra = new ExtraGroup(list.get(i), list.get(i + 1), list.get(i + 2), list.get(i + 3));
            i += 4;
        }
        NDArray queryBoxes = null;
        if (i < list.size() && QUERY_BOXES.equals(list.get(i).getName())) {
            queryBoxes = list.get(i);
            i++;
        }
        if (i != list.size()) {
            throw new IllegalArgumentException("DetrOutputs layout: " + (list.size() - i) + " unexpected arrays at the end");
        }
        long[] hw = list.get(MEMORY_SHAPE).toLongArray();
        return new DetrOutputs(list.get(LOGITS), list.get(BOXES), list.get(HIDDEN), list.get(QUERY_EMBED),
                list.get(REFERENCE_POINTS), list.get(MEMORY), list.get(MEMORY_MASK), (int) hw[0], (int) hw[1],
                list.get(ENCODER_INPUT), features, masks, extra, queryBoxes);
    }

    private static NDArray named(NDArray a, String name) {
        a.setName(name);
        return a;
    }

    private static void expectName(NDList list, int index, String name) {
        if (index >= list.size() || !name.equals(list.get(index).getName())) {
            String found = index < list.size() ? "'" + list.get(index).getName() + "'" : "nothing";
            throw new IllegalArgumentException("DetrOutputs layout: expected '" + name + "' at index " + index
                    + ", found " + found);
        }
    }
}
