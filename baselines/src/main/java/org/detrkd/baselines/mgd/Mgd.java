package org.detrkd.baselines.mgd;

import org.detrkd.baselines.FeatureLossBlock;
import org.detrkd.detr.util.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;

import org.detrkd.baselines.fitnet.FeatureAdapter;
import org.detrkd.baselines.fitnet.FeatureLevels;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * Masked Generative Distillation (MGD; Yang et al., ECCV 2022), port of yzd-v/MGD {@code FeatureLoss} (2c9da0b) per
 * feature level: the (aligned) student map {@code S [N, C, H, W]} is multiplied by a random spatial mask
 * {@code M [N, 1, H, W]} (a cell is dropped, M = 0, when a uniform draw exceeds {@code 1 - lambda}), a generator
 * rebuilds the teacher map from it, and {@code dis = sum((gen(S * M) - T)^2) / N}. Summed over levels into
 * {@link #LOSS}, unweighted; alpha is in {@link MgdSettings}. Trainable: the 1x1 align convolution (only when channel
 * counts differ) and the generator, per level. The random draw uses the engine's generator (seed it through
 * {@code Engine.getInstance().setRandomSeed}); tests pass the masks explicitly.
 */
public final class Mgd extends FeatureLossBlock<MgdSettings> {

    /** Name of the unweighted term. */
    public static final String LOSS = "loss_mgd";

    private final List<FeatureAdapter> aligns = new ArrayList<>();
    private final List<MgdGenerator> generators = new ArrayList<>();

    private Mgd(Builder b) {
        super(b);
        for (int l = 0; l < studentChannels.length; l++) {
            int ct = teacherChannels[l];
            aligns.add(studentChannels[l] == ct ? null
                    : addChildBlock("align" + l, FeatureAdapter.conv1x1(studentChannels[l], ct)));
            generators.add(addChildBlock("generation" + l, new MgdGenerator(ct)));
        }
    }

    /** @return a builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the generator of level {@code l} */
    public MgdGenerator generator(int l) {
        return generators.get(l);
    }

    /** @return the align convolution of level {@code l}, or null when the channel counts agree */
    public FeatureAdapter align(int l) {
        return aligns.get(l);
    }

    /**
     * @return {@code [N, 1, H, W]} keep-mask for {@code like [N, C, H, W]}: 0 where a uniform draw is above
     *     {@code 1 - lambda}, else 1 (float, in {@code like}'s manager)
     */
    public NDArray randomMask(NDArray like) {
        Shape s = like.getShape();
        NDArray u = like.getManager().randomUniform(0f, 1f, new Shape(s.get(0), 1, s.get(2), s.get(3)),
                DataType.FLOAT32, like.getDevice());
        return u.lte(1 - settings.maskRatio()).toType(DataType.FLOAT32, false);
    }

    /** @return {@link #LOSS} with fresh random masks (training) */
    public LinkedHashMap<String, NDArray> losses(ParameterStore ps, List<NDArray> student, List<NDArray> teacher,
            boolean training) {
        List<NDArray> masks = new ArrayList<>();
        for (NDArray s : student) {
            masks.add(randomMask(s));
        }
        return losses(ps, student, teacher, masks, training);
    }

    /**
     * @param student per level {@code [N, Cs_l, H_l, W_l]}
     * @param teacher per level {@code [N, Ct_l, H_l, W_l]}; detached here (stopGradient) whatever the caller did
     * @param masks per level {@code [N, 1, H_l, W_l]}, 1 keeps the student cell, 0 drops it
     * @return {@code {loss_mgd: scalar}}, unweighted, summed over levels
     */
    public LinkedHashMap<String, NDArray> losses(ParameterStore ps, List<NDArray> student, List<NDArray> teacher,
            List<NDArray> masks, boolean training) {
        FeatureLevels.check(student, teacher, studentChannels, teacherChannels);
        if (masks.size() != student.size()) {
            throw new IllegalArgumentException("got " + masks.size() + " masks for " + student.size() + " levels");
        }
        NDArray total = null;
        for (int l = 0; l < student.size(); l++) {
            NDArray t = teacher.get(l).stopGradient();
            NDArray s = aligns.get(l) == null ? student.get(l) : aligns.get(l).apply(ps, student.get(l), training);
            NDArray generated = generators.get(l).apply(ps, s.mul(masks.get(l)), training);
            total = FeatureLevels.accumulate(total, Scalars.div(generated.sub(t).square().sum(), t.getShape().get(0)));
        }
        LinkedHashMap<String, NDArray> out = new LinkedHashMap<>();
        out.put(LOSS, total);
        return out;
    }

    @Override
    protected String methodName() {
        return "MGD";
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        for (int l = 0; l < studentChannels.length; l++) {
            if (aligns.get(l) != null) {
                aligns.get(l).initialize(manager, dataType);
            }
            generators.get(l).initialize(manager, dataType);
        }
    }

    /** Builder: channel counts per level are required; settings default to {@link MgdSettings#DEFAULT}. */
    public static final class Builder extends FeatureLossBlock.Builder<MgdSettings, Builder> {
        Builder() {
            super(MgdSettings.DEFAULT);
        }

        @Override
        protected Builder self() {
            return this;
        }

        /** @return the block (initialise it with {@code initialize(manager, FLOAT32)}) */
        public Mgd build() {
            checkedLevels();
            return new Mgd(this);
        }
    }
}
