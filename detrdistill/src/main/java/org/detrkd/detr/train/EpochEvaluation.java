package org.detrkd.detr.train;

import ai.djl.nn.Block;

import org.detrkd.datasets.eval.EvalResult;
import org.detrkd.detr.engine.TrainingListener;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The evaluation side of a training run: every {@code every} epochs (and on demand at the end) the model is evaluated
 * with a {@link DetectorEvaluator}; AP and AP50 go into the epoch's checkpoint metrics as {@code eval/AP},
 * {@code eval/AP50} and, per epoch, {@code eval/epoch_NNN/AP}, {@code eval/epoch_NNN/AP50}, so the checkpoint JSON
 * carries the run's AP history (restored from the latest checkpoint on resume). The listener also reports the
 * run's cumulative training wall time as {@code train_seconds}.
 */
final class EpochEvaluation implements TrainingListener {

    static final String TRAIN_SECONDS = "train_seconds";
    static final String PREFIX = "eval/";

    private final Block model;
    private final DetectorEvaluator evaluator;
    private final int every;
    private final Map<String, Double> history = new TreeMap<>();
    private final double priorSeconds;
    private final long startNanos = System.nanoTime();
    private EvalResult last;
    private int lastEpoch = -1;

    /**
     * @param model the detector being trained
     * @param evaluator the evaluation split
     * @param every evaluate every this many epochs ({@code <= 0}: never during training)
     * @param prior metrics of the checkpoint the run resumed from (empty for a new run)
     */
    EpochEvaluation(Block model, DetectorEvaluator evaluator, int every, Map<String, Double> prior) {
        this.model = model;
        this.evaluator = evaluator;
        this.every = every;
        prior.forEach((k, v) -> {
            if (k.startsWith(PREFIX + "epoch_")) {
                history.put(k, v);
            }
        });
        this.priorSeconds = prior.getOrDefault(TRAIN_SECONDS, 0.0);
    }

    @Override
    public Map<String, Double> onEpochEnd(int epoch, Map<String, Double> meanTerms) {
        Map<String, Double> out = new TreeMap<>();
        out.put(TRAIN_SECONDS, trainSeconds());
        if (every > 0 && (epoch + 1) % every == 0) {
            try {
                evaluate(epoch);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        out.putAll(metrics());
        return out;
    }

    /**
     * Evaluates now (unless this epoch was already evaluated) and records the result under {@code epoch}.
     *
     * @param epoch the 0-based epoch the model has completed (or is in, for a timed stop)
     * @return the result
     * @throws IOException if the split cannot be read
     */
    EvalResult evaluate(int epoch) throws IOException {
        if (epoch == lastEpoch && last != null) {
            return last;
        }
        last = evaluator.evaluate(model, null).result();
        lastEpoch = epoch;
        String key = String.format(Locale.ROOT, "%sepoch_%03d/", PREFIX, epoch + 1);
        history.put(key + "AP", last.stat("AP"));
        history.put(key + "AP50", last.stat("AP50"));
        return last;
    }

    /** @return cumulative training wall time, including earlier invocations of a resumed run */
    double trainSeconds() {
        return priorSeconds + (System.nanoTime() - startNanos) / 1e9;
    }

    /** @return the AP history and the latest AP / AP50 */
    Map<String, Double> metrics() {
        Map<String, Double> out = new TreeMap<>(history);
        if (last != null) {
            out.put(PREFIX + "AP", last.stat("AP"));
            out.put(PREFIX + "AP50", last.stat("AP50"));
        }
        return out;
    }
}
