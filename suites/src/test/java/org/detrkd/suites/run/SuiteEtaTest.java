package org.detrkd.suites.run;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import java.util.List;
import java.util.OptionalDouble;
import org.testng.annotations.Test;

/** The suite ETA of {@code --jobs N}: the running cells' own ETAs plus the queue played out over the slots. */
public class SuiteEtaTest {

    @Test
    public void queuedCellsTakeTheMeanFinishedTimeOnTheSlotThatFreesFirst() {
        // two slots free in 100 s and 300 s; three queued cells of 600 s (mean of 500 and 700):
        // slot A 100 -> 700 -> 1300, slot B 300 -> 900; the last ends at 1300
        OptionalDouble eta = SuiteEta.estimate(List.of(new SuiteEta.Running(400, 100), new SuiteEta.Running(50, 300)),
                3, List.of(500.0, 700.0), 2);
        assertEquals(eta.getAsDouble(), 1300.0, 1e-9);
    }

    @Test
    public void beforeAnyCellEndsTheRunningCellsGiveTheCellTime() {
        // running: 200 s elapsed + 200 s to go -> a cell takes 400 s; one queued cell on one slot: 200 + 400
        OptionalDouble eta = SuiteEta.estimate(List.of(new SuiteEta.Running(200, 200)), 1, List.of(), 1);
        assertEquals(eta.getAsDouble(), 600.0, 1e-9);
        assertTrue(SuiteEta.estimate(List.of(new SuiteEta.Running(5, Double.NaN)), 2, List.of(), 2).isEmpty(),
                "nothing known yet");
        assertEquals(SuiteEta.estimate(List.of(), 4, List.of(100.0), 2).getAsDouble(), 200.0, 1e-9,
                "four 100 s cells on two idle slots");
    }

    @Test
    public void readsAndStripsTheChildsOwnEta() {
        String line = "epoch 3/4 step 560/1000 loss 266.8232 13.5 img/s ETA cell 5m08s suite 5m08s";
        assertEquals(SuiteEta.cellEta(line), 308.0, 1e-9);
        assertEquals(SuiteEta.cellEta("epoch 1/4 step 1/1000 loss 9 1 img/s ETA cell 1h05m suite 2h00m"), 3900.0);
        assertTrue(Double.isNaN(SuiteEta.cellEta("starting")));
        assertEquals(SuiteEta.withoutSuiteEta(line), "epoch 3/4 step 560/1000 loss 266.8232 13.5 img/s ETA cell 5m08s");
        assertEquals(SuiteEta.line(7, 2, 9, 18, OptionalDouble.of(3125)),
                "suite: 7 of 18 cells done, 2 running, 9 queued; ETA suite 52m05s");
        assertEquals(SuiteEta.line(0, 2, 16, 18, OptionalDouble.empty()),
                "suite: 0 of 18 cells done, 2 running, 16 queued; ETA suite unknown yet");
    }
}
