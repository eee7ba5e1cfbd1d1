package org.detrkd.baselines;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * What the feature-distillation loss blocks (FitNet, FGD, MGD, FKD, FGFI) share: per-level student and teacher channel
 * counts, the method's settings record, and the rule that a loss block is called through its own {@code losses(...)}
 * method (which takes student and teacher feature lists, {@code [B, C_l, H_l, W_l]} per level), never through DJL's
 * {@code forward}. The trainable parts (adapters, generators, GcBlocks) are each subclass's child blocks.
 *
 * @param <S> the method's settings record
 */
public abstract class FeatureLossBlock<S> extends AbstractBlock {
    /** Student channels per level. */
    protected final int[] studentChannels;
    /** Teacher channels per level. */
    protected final int[] teacherChannels;
    /** The method's settings (weights, temperatures, ...). */
    protected final S settings;

    protected FeatureLossBlock(Builder<S, ?> b) {
        studentChannels = b.studentChannels;
        teacherChannels = b.teacherChannels;
        settings = b.settings;
    }

    /** @return the method's settings */
    public S settings() {
        return settings;
    }

    /** @return the method's name for messages, e.g. {@code FGD} */
    protected abstract String methodName();

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> p) {
        throw new IllegalStateException(methodName() + " is a loss block: call its losses(...) method");
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape()};
    }

    /**
     * The common part of the blocks' builders: channel counts per level (required, same number for student and
     * teacher) and the settings (defaulting to the method's official ones).
     *
     * @param <S> the settings record
     * @param <B> the concrete builder
     */
    public abstract static class Builder<S, B extends Builder<S, B>> {
        private int[] studentChannels;
        private int[] teacherChannels;
        private S settings;

        protected Builder(S defaults) {
            settings = defaults;
        }

        protected abstract B self();

        /** @param channels student channels per level */
        public B setStudentChannels(int... channels) {
            studentChannels = channels.clone();
            return self();
        }

        /** @param channels teacher channels per level */
        public B setTeacherChannels(int... channels) {
            teacherChannels = channels.clone();
            return self();
        }

        /** @param s the settings (a preset or custom values) */
        public B optSettings(S s) {
            settings = s;
            return self();
        }

        /** @return the student channels set so far (may be null) */
        protected int[] studentChannels() {
            return studentChannels;
        }

        /** @return the teacher channels set so far (may be null) */
        protected int[] teacherChannels() {
            return teacherChannels;
        }

        /** @return the settings */
        protected S settings() {
            return settings;
        }

        /** @return the number of levels, after checking the channel counts */
        protected int checkedLevels() {
            if (studentChannels == null || teacherChannels == null || studentChannels.length == 0
                    || studentChannels.length != teacherChannels.length) {
                throw new IllegalArgumentException("set the same number (>= 1) of student and teacher channel counts");
            }
            return studentChannels.length;
        }
    }
}
