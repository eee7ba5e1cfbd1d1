package org.detrkd.detr.detrdistill;

/**
 * Which teacher decoder stage teaches which student stage (Sec. 4.1 "Progressive Distillation", Eq. 4; Fig. 5;
 * Tab. 7).
 *
 * <p>Progressive, same depth: teacher stage k teaches student stage k. Progressive, fewer student stages
 * ({@code L_S < L_T}, Fig. 5): the teacher's stages are cut into {@code L_S} consecutive groups, group k holding
 * stages {@code [floor(k L_T / L_S), floor((k+1) L_T / L_S))} (6 teacher and 3 student stages: {1,2}, {3,4},
 * {5,6} in the paper's 1-based numbering); the group's prediction, which is the output of its LAST stage, teaches
 * student stage k. So student stage k learns from teacher stage {@code floor((k+1) L_T / L_S) - 1}. Why the last
 * stage of the group: a group of decoder layers is one "coarse" stage whose prediction is what comes out of it,
 * and this keeps the teacher's final stage teaching the student's final stage, as with equal depths. A student
 * deeper than its teacher maps stage k to {@code floor(k L_T / L_S)} (several student stages share a teacher
 * stage; the paper does not cover this case). Last-stage distillation (Tab. 7): the teacher's final stage teaches
 * every student stage.
 */
public final class StageGrouping {

    private StageGrouping() {}

    /**
     * @param studentStage student stage k, 0-based
     * @param studentStages L_S
     * @param teacherStages L_T
     * @param lastOnly last-stage distillation instead of progressive
     * @return the teacher stage (0-based) that teaches student stage k
     */
    public static int teacherStage(int studentStage, int studentStages, int teacherStages, boolean lastOnly) {
        if (studentStage < 0 || studentStage >= studentStages || teacherStages < 1) {
            throw new IllegalArgumentException("student stage " + studentStage + " of " + studentStages
                    + " with " + teacherStages + " teacher stages");
        }
        if (lastOnly) {
            return teacherStages - 1;
        }
        if (studentStages <= teacherStages) {
            return (studentStage + 1) * teacherStages / studentStages - 1;
        }
        return studentStage * teacherStages / studentStages;
    }
}
