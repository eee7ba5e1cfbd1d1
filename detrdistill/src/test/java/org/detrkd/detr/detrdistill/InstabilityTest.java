package org.detrkd.detr.detrdistill;

import static org.testng.Assert.assertEquals;

import java.util.List;
import org.detrkd.detr.matching.HungarianMatcher.Match;
import org.testng.annotations.Test;

/** IS on a hand-made three-stage case. */
public class InstabilityTest {

    @Test
    public void countsPredictionsWhoseMatchedTargetChanges() {
        int q = 4;
        // image 0: stage 0 {q0->t0, q2->t1}, stage 1 {q0->t0, q3->t1}, stage 2 {q1->t0, q3->t1}
        // image 1: stage 0 {q1->t0}, stage 1 {q1->t0}, stage 2 {q2->t0}
        List<List<Match>> stages = List.of(
                List.of(new Match(new int[] {0, 2}, new int[] {0, 1}), new Match(new int[] {1}, new int[] {0})),
                List.of(new Match(new int[] {0, 3}, new int[] {0, 1}), new Match(new int[] {1}, new int[] {0})),
                List.of(new Match(new int[] {1, 3}, new int[] {0, 1}), new Match(new int[] {2}, new int[] {0})));
        // IS^0: image 0 V0 = [0, -1, 1, -1], V1 = [0, -1, -1, 1] -> 2; image 1 unchanged -> 0
        // IS^1: image 0 V1 = [0, -1, -1, 1], V2 = [-1, 0, -1, 1] -> 2; image 1 [-1, 0, -1, -1] vs [-1, -1, 0, -1] -> 2
        long[] is = Instability.count(stages, q);
        assertEquals(is, new long[] {2, 4});
        assertEquals(Instability.assignmentVector(stages.get(2).get(0), q), new int[] {-1, 0, -1, 1});
    }
}
