package org.detrkd.detr.distill;

import java.util.ArrayList;
import java.util.List;
import org.detrkd.detr.matching.HungarianMatcher;
import org.detrkd.detr.matching.HungarianMatcher.Match;
import org.detrkd.detr.matching.ImageTargets;
import org.detrkd.detr.model.DetrOutputs;

/**
 * What a {@link DistillationMethod} reads for one batch: the frozen teacher's outputs (no gradient), the student's
 * outputs (in the graph), the ground truth, and, computed on first use and then shared by every component, the
 * teacher's own Hungarian assignment of each of its decoder stages to the ground truth.
 */
public final class DistillationInputs {

    private final DetrOutputs teacher;
    private final DetrOutputs student;
    private final List<ImageTargets> targets;
    private final HungarianMatcher matcher;
    private final List<List<Match>> teacherMatches = new ArrayList<>();

    /**
     * @param teacher the teacher's outputs ({@code L_T} stages, {@code M} queries, width {@code d_T})
     * @param student the student's outputs ({@code L_S} stages, {@code N} queries, width {@code d_S})
     * @param targets B images' targets
     * @param matcher the matcher that assigns teacher predictions to the ground truth (the detection matcher)
     */
    public DistillationInputs(DetrOutputs teacher, DetrOutputs student, List<ImageTargets> targets,
            HungarianMatcher matcher) {
        this.teacher = teacher;
        this.student = student;
        this.targets = targets;
        this.matcher = matcher;
        for (int i = 0; i < teacher.numStages(); i++) {
            teacherMatches.add(null);
        }
    }

    /** @return the teacher's outputs */
    public DetrOutputs teacher() {
        return teacher;
    }

    /** @return the student's outputs */
    public DetrOutputs student() {
        return student;
    }

    /** @return the batch's targets */
    public List<ImageTargets> targets() {
        return targets;
    }

    /**
     * The teacher's assignment of one of its stages to the ground truth (computed once per batch and stage).
     *
     * @param stage teacher decoder stage, 0-based
     * @return B matches (teacher query index to target index)
     */
    public List<Match> teacherMatches(int stage) {
        List<Match> m = teacherMatches.get(stage);
        if (m == null) {
            m = matcher.match(teacher.logits().get(stage), teacher.boxes().get(stage), targets);
            teacherMatches.set(stage, m);
        }
        return m;
    }
}
