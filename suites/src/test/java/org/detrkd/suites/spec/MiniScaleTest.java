package org.detrkd.suites.spec;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertNull;
import static org.testng.Assert.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.detrkd.reports.model.Scale;
import org.testng.annotations.Test;

/**
 * The built-in suites' mini scale is the calibrated recipe (README "Mini scale"): the mini presets' stages and 40
 * queries, batch 16, AdamW 3e-4 with backbone x1, clip 0.1, 200 warm-up steps, 1,000 steps with the drop at step 750
 * for the paper's 12/50 epochs, pretrained backbones, the existing teachers and a 0.3 AP gate; smoke stays as written.
 */
public class MiniScaleTest {
    private static Map<String, Cell> cells(String suite, Scale scale) {
        return SuiteExpander.expand(SuiteCatalog.builtIn(suite), scale).stream()
                .collect(Collectors.toMap(Cell::runId, Function.identity()));
    }

    @Test
    public void table5MiniIsTheCalibratedAdaMixerRecipe() {
        Map<String, Cell> t5 = cells("table5", Scale.MINI);
        assertEquals(t5.size(), 18);
        Cell c = t5.get("adamixer.ld+fd+ad.seed2");
        assertEquals(c.student(), new Cell.ModelSpec("adamixer", "mini-student", 0, 3, 40,
                new Cell.FileRef("builtin:mini-student", null)));
        Cell.TrainingSchedule s = c.schedule();
        assertEquals(List.of(s.epochs(), s.paperEpochs(), s.batch()), List.of(4, 12, 16));
        assertEquals(List.of(s.lr(), s.backboneLrFactor(), s.gradClip(), s.weightDecay(), s.lrDropFactor()),
                List.of(3.0e-4, 1.0, 0.1, 1.0e-4, 0.1));
        assertEquals(s.warmupSteps(250), 200L);
        assertEquals(s.lrDropEpochs(), List.of(3)); // step 750 of 1,000
        assertEquals(c.teacher().given(), new Cell.FileRef("runs/teacher-adamixer", null));
        assertEquals(c.teacher().model(), new Cell.ModelSpec("adamixer", "mini-teacher", 0, 3, 40));
        assertEquals(c.requiredTeacherAp(), 0.3);
        assertTrue(t5.values().stream().allMatch(x -> x.teacher() != null || x.method().equals("none")));
    }

    @Test
    public void table3MiniMapsEveryDetectorToItsPreset() {
        Map<String, Cell> t3 = cells("table3", Scale.MINI);
        assertEquals(t3.get("conditional.none.seed0").student().encoderStages(), 2);
        assertEquals(t3.get("conditional.none.seed0").student().decoderStages(), 3);
        assertEquals(t3.get("deformable.none.seed1").student().queries(), 40);
        assertEquals(t3.get("adamixer.none.seed0").student().decoderStages(), 3);
        assertEquals(t3.get("conditional.teacher.seed0").teacher().given().source(), "builtin:mini-conditional-detr");
        assertEquals(t3.get("deformable.teacher.seed0").teacher().given().source(), "runs/teacher-deformable-detr");
        assertNull(t3.get("conditional.teacher.seed0").student().backboneWeights()); // a given teacher: no backbone
        assertEquals(t3.get("deformable.none.seed0").schedule().backboneLrFactor(), 1.0);
    }

    @Test
    public void table1MiniEpochColumnsAreOneTwoAndFourEpochs() {
        Map<String, Cell> t1 = cells("table1", Scale.MINI);
        assertEquals(t1.get("adamixer.fgd.e4.seed0").schedule().epochs(), 1);
        assertEquals(t1.get("adamixer.fgd.e4.seed0").schedule().lrDropEpochs(), List.of());
        assertEquals(t1.get("adamixer.fgd.e8.seed0").schedule().epochs(), 2);
        assertEquals(t1.get("adamixer.fgd.e8.seed0").schedule().lrDropEpochs(), List.of(1));
        assertEquals(t1.get("adamixer.fgd.e12.seed0").schedule().epochs(), 4);
    }

    @Test
    public void table4MiniStudentsAreOneOrThreeDecoderStages() {
        Map<String, Cell> t4 = cells("table4", Scale.MINI);
        Cell.ModelSpec half = t4.get("conditional.detrdistill.enc3-dec3.seed0").student();
        assertEquals(List.of(half.encoderStages(), half.decoderStages()), List.of(1, 1));
        Cell.ModelSpec full = t4.get("conditional.detrdistill.enc6-dec6.seed0").student();
        assertEquals(List.of(full.encoderStages(), full.decoderStages()), List.of(2, 3));
    }

    @Test
    public void smokeIsAsWritten() {
        Cell c = cells("table5", Scale.SMOKE).get("adamixer.ld+fd+ad.seed0");
        assertEquals(c.student(), new Cell.ModelSpec("adamixer", "mini-student", 0, 6, 100));
        assertNull(c.teacher().given());
        assertEquals(c.schedule().lr(), 2.5e-5);
    }

    @Test
    public void table5MiniEstimateIsTwoHoursOrSoOnTwoCores() {
        double seconds = StepTimes.suiteSeconds(SuiteExpander.expand(SuiteCatalog.builtIn("table5"), Scale.MINI))
                * StepTimes.cores() / 2;
        assertTrue(seconds > 1.5 * 3600 && seconds < 3 * 3600, StepTimes.human(seconds));
    }
}
