package org.detrkd.suites.run;

import static org.testng.Assert.assertEquals;

import ai.djl.Device;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.detrkd.reports.model.ResultRecord;
import org.detrkd.reports.model.Scale;
import org.detrkd.reports.model.Status;
import org.detrkd.suites.spec.SuiteCatalog;
import org.detrkd.suites.spec.SuiteExpander;
import org.testng.annotations.Test;

/**
 * The runner with two data-parallel replicas on the CPU (the stand-in for {@code --devices 2}, which this CPU-only
 * machine refuses): the teacher, the plain student and a DETRDistill student (one teacher per device: here both
 * replicas share the CPU's) of a 1-epoch smoke suite finish, and every record names both devices.
 */
public class DataParallelSuiteTest {

    @Test
    public void smokeSuiteFinishesOnTwoReplicasAndRecordsThem() throws Exception {
        Path root = Files.createTempDirectory("detrkd-run-dp");
        Path suite = RunFixtures.write(root, "dp", "1.0e-4", 1);
        List<Device> devices = List.of(Device.cpu(), Device.cpu());
        SuiteRunner.Summary s = new SuiteRunner(root.resolve("out"), root.resolve("out/teachers"), root, 1, devices,
                1000, 0).run(SuiteExpander.expand(SuiteCatalog.resolve(suite.toString()), Scale.SMOKE));
        assertEquals(s.failed(), List.of(), s.records().toString());
        assertEquals(s.records().size(), 3);
        for (ResultRecord r : s.records()) {
            assertEquals(r.status(), Status.FINISHED, r.cellId());
            assertEquals(r.environment().devices(), List.of("cpu()", "cpu()"), r.cellId());
            assertEquals(r.history().size(), 1, r.cellId());
        }
    }
}
