package org.detrkd.detr.distill;

import ai.djl.nn.Block;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import org.detrkd.datasets.eval.EvalResult;
import org.detrkd.datasets.io.InputException;
import org.detrkd.detr.train.DetectorEvaluator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Evaluates the teacher on the validation split before distilling and refuses a teacher whose AP is below the
 * declared minimum: a teacher that silently failed to load (random weights) would make distillation look like the
 * baseline, the most common silent failure reported by users of KD toolkits.
 */
public final class TeacherGate {

    private static final Logger LOG = LoggerFactory.getLogger(TeacherGate.class);

    private TeacherGate() {}

    /**
     * @param teacher the loaded teacher
     * @param evaluator evaluation on the validation split
     * @param minAp the required AP (COCO AP@[.5:.95], in [0, 1])
     * @param teacherDir the teacher's run folder (for the message)
     * @return the teacher's evaluation
     * @throws InputException if the teacher's AP is below {@code minAp}
     * @throws IOException if evaluation fails
     */
    public static EvalResult check(Block teacher, DetectorEvaluator evaluator, double minAp, Path teacherDir)
            throws IOException {
        EvalResult r = evaluator.evaluate(teacher, null).result();
        double ap = r.stats()[0];
        requireAtLeast(ap, minAp, teacherDir);
        LOG.info("teacher AP {} (required {})", String.format(Locale.ROOT, "%.4f", ap),
                String.format(Locale.ROOT, "%.4f", minAp));
        return r;
    }

    /**
     * @param ap the teacher's AP
     * @param minAp the required AP
     * @param teacherDir the teacher's run folder
     * @throws InputException if {@code ap < minAp} (a NaN AP, no detections at all, also fails)
     */
    public static void requireAtLeast(double ap, double minAp, Path teacherDir) {
        if (!(ap >= minAp)) {
            throw new InputException(teacherDir, "val", String.format(Locale.ROOT,
                    "teacher AP %.4f is below the required %.4f (--min-teacher-ap): refusing to distill from it "
                            + "(wrong checkpoint, or not trained enough?)", ap, minAp));
        }
    }
}
