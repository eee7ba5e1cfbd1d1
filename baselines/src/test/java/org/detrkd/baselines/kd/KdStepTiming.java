package org.detrkd.baselines.kd;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.detrkd.baselines.MethodRegistry;
import org.detrkd.datasets.djl.CocoDetectionDataset;
import org.detrkd.datasets.djl.DetectionBatchifier;
import org.detrkd.detr.conditional.ConditionalDetr;
import org.detrkd.detr.conditional.ConditionalDetrConfig;
import org.detrkd.detr.distill.DistillationContext;
import org.detrkd.detr.distill.DistillationMethod;
import org.detrkd.detr.distill.DistillationTask;
import org.detrkd.detr.engine.AdamW;
import org.detrkd.detr.engine.DatasetBatchSource;
import org.detrkd.detr.engine.EngineThreads;
import org.detrkd.detr.engine.LrSchedule;
import org.detrkd.detr.engine.StepResult;
import org.detrkd.detr.engine.TrainingConfig;
import org.detrkd.detr.engine.TrainingListener;
import org.detrkd.detr.engine.TrainingLoop;
import org.detrkd.detr.train.DetectorFactory;
import org.detrkd.detr.train.TinyData;
import org.testng.annotations.Test;

/**
 * Not a test (no assertion; not matched by the default surefire pattern): median training-step time of every method
 * at the mini scale (mini teacher / mini student, 40 queries, batch 8 of 64 px, one thread; two passes, the second reported), run on demand with
 * {@code -Dtest=KdStepTiming}. Prints one line per method.
 */
public class KdStepTiming {

    @Test
    public void stepTimes() throws IOException {
        EngineThreads.configure(1, 1);
        CocoDetectionDataset ds = CocoDetectionDataset.builder().setRoot(TinyData.folder()).setSplit("train")
                .setSampling(8, false).build();
        int k = ds.categories().size();
        ConditionalDetrConfig tc = ConditionalDetrConfig.miniTeacher(k);
        ConditionalDetrConfig sc = ConditionalDetrConfig.miniStudent(k);
        StringBuilder out = new StringBuilder();
        List<String> order = new ArrayList<>(MethodRegistry.names());
        order.addAll(MethodRegistry.names()); // two passes: the first warms the JIT up; only the second is printed
        for (int pass = 0; pass < order.size(); pass++) {
            String name = order.get(pass);
            Engine.getInstance().setRandomSeed(1);
            try (NDManager model = NDManager.newBaseManager()) {
                ConditionalDetr teacher = DetectorFactory.create(tc, model, 64);
                ConditionalDetr student = DetectorFactory.create(sc, model, 64);
                Map<String, String> options = name.equals("fgfi") ? Map.of("warmup-steps", "0") : Map.of();
                DistillationMethod method = MethodRegistry.create(name, new DistillationContext(tc, sc), model, null,
                        options);
                DistillationTask task = new DistillationTask(student, teacher, method);
                TrainingLoop loop = new TrainingLoop(task, new DatasetBatchSource(ds, new DetectionBatchifier(),
                        new DetectionBatchifier()), task.weights(), LrSchedule.constant(1e-4), AdamW.builder(),
                        TrainingConfig.of(1, 8, 9, null).withLogEvery(1000));
                List<Double> seconds = new ArrayList<>();
                double[] share = new double[1];
                loop.addListener(new TrainingListener() {
                    @Override
                    public void onStep(StepResult r) {
                        if (r.step() == 0) {
                            double kd = 0;
                            for (Map.Entry<String, Float> e : r.terms().entrySet()) {
                                if (!e.getKey().startsWith("loss_ce") && !e.getKey().startsWith("loss_bbox")
                                        && !e.getKey().startsWith("loss_giou")) {
                                    kd += task.weights().weightOf(e.getKey()) * e.getValue();
                                }
                            }
                            share[0] = kd / r.loss();
                        }
                        if (r.step() >= 2) {
                            seconds.add(r.seconds());
                        }
                    }
                });
                loop.fitUntil(9);
                Collections.sort(seconds);
                if (pass < MethodRegistry.names().size()) {
                    continue;
                }
                out.append(String.format(Locale.ROOT, "%-13s median %.1f ms over %d steps (min %.1f, max %.1f); step-0 weighted KD share of "
                        + "the total loss %.3f%n", name, 1000 * seconds.get(seconds.size() / 2), seconds.size(), 1000 * seconds.get(0),
                        1000 * seconds.get(seconds.size() - 1), share[0]));
            }
        }
        System.out.print(out);
    }
}
