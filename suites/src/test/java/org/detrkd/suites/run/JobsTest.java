package org.detrkd.suites.run;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.detrkd.reports.model.ResultJson;
import org.detrkd.reports.model.ResultRecord;
import org.detrkd.reports.model.Status;
import org.testng.annotations.Test;

/**
 * {@code detrkd run --jobs 2}: the cells run two at a time in child JVMs (one thread each) and give exactly the
 * numbers of a sequential run in this JVM (AP and every per-epoch loss term), and a rerun skips them all.
 */
public class JobsTest {

    @Test
    public void twoJobsGiveTheSequentialResults() throws Exception {
        Path root = Files.createTempDirectory("detrkd-jobs");
        Path suite = RunFixtures.write(root, "jobs", "1.0e-4", 1);
        RunFixtures.Outcome seq = RunFixtures.cli("run", suite.toString(), "--scale", "smoke", "--out",
                root.resolve("seq").toString(), "--data-root", root.toString(), "--threads", "1");
        assertEquals(seq.code(), 0, seq.out() + seq.err());
        RunFixtures.Outcome par = RunFixtures.cli("run", suite.toString(), "--scale", "smoke", "--out",
                root.resolve("par").toString(), "--data-root", root.toString(), "--threads", "1", "--jobs", "2");
        assertEquals(par.code(), 0, par.out() + par.err());
        assertTrue(par.out().contains("x 2 jobs (child JVMs)"), par.out());
        assertTrue(par.out().contains("3 finished, 0 skipped (finished before), 0 failed; 1 teachers trained"),
                par.out());
        for (String run : List.of("cond.teacher.seed0", "cond.none.seed0", "cond.ld.seed0")) {
            ResultRecord a = ResultJson.read(root.resolve("seq/cells").resolve(run).resolve("result.json"));
            ResultRecord b = ResultJson.read(root.resolve("par/cells").resolve(run).resolve("result.json"));
            assertEquals(b.status(), Status.FINISHED, run);
            assertEquals(b.metrics(), a.metrics(), run);
            assertEquals(b.history().size(), a.history().size(), run);
            for (int i = 0; i < a.history().size(); i++) {
                assertEquals(b.history().get(i).loss(), a.history().get(i).loss(), run + " epoch " + i);
                assertEquals(b.history().get(i).ap(), a.history().get(i).ap(), run + " epoch " + i);
            }
            assertTrue(Files.isRegularFile(root.resolve("par/cells").resolve(run + ".log")), run);
        }
        RunFixtures.Outcome again = RunFixtures.cli("run", suite.toString(), "--scale", "smoke", "--out",
                root.resolve("par").toString(), "--data-root", root.toString(), "--threads", "1", "--jobs", "2");
        assertEquals(again.code(), 0, again.out() + again.err());
        assertTrue(again.out().contains("0 finished, 3 skipped (finished before), 0 failed"), again.out());
    }
}
