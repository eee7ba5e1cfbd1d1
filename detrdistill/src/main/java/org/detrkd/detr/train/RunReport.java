package org.detrkd.detr.train;

import ai.djl.Device;
import ai.djl.engine.Engine;

import org.detrkd.datasets.eval.EvalResult;
import org.detrkd.datasets.io.Provenance;
import org.detrkd.detr.engine.Devices;
import org.detrkd.detr.engine.EngineThreads;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON documents {@code train --json} and {@code evaluate --json} print: pycocotools' 12 {@code stats} first,
 * then the run's facts, the spec and provenance (commit, DJL and PyTorch versions, threads).
 */
public final class RunReport {

    private RunReport() {}

    /**
     * Provenance of a deep-learning result on the CPU (starts the engine if needed: configure threads first).
     *
     * @param threads the requested intra-op threads
     * @return {@link Provenance#basic()} plus DJL and PyTorch versions, the effective thread counts and the devices
     *     ({@code ["cpu()"]})
     */
    public static Map<String, Object> provenance(int threads) {
        return provenance(threads, List.of(Device.cpu()));
    }

    /**
     * Provenance of a deep-learning result (starts the engine if needed: configure threads first).
     *
     * @param threads the requested intra-op threads
     * @param devices the devices trained on, primary first ({@code --devices}; several: data-parallel)
     * @return {@link Provenance#basic()} plus DJL and PyTorch versions, the effective thread counts and the devices
     */
    public static Map<String, Object> provenance(int threads, List<Device> devices) {
        Map<String, Object> m = new LinkedHashMap<>(Provenance.basic());
        m.put("djl_version", Engine.getDjlVersion());
        Engine engine = Engine.getInstance();
        m.put("engine", engine.getEngineName());
        m.put("pytorch_version", engine.getVersion());
        EngineThreads.Report r = EngineThreads.report();
        m.put("threads", threads);
        m.put("intra_op_threads", r.intraOp());
        m.put("inter_op_threads", r.interOp());
        m.put("devices", Devices.names(devices));
        return m;
    }

    /**
     * @param r a finished training run
     * @param runDir its folder
     * @return the document
     */
    public static Map<String, Object> train(TrainRun.Result r, Path runDir) {
        Map<String, Object> m = stats(r.result());
        m.put("run_dir", runDir.toAbsolutePath().normalize().toString());
        m.put("checkpoint", r.checkpoint().toString());
        m.put("steps", r.steps());
        m.put("steps_per_epoch", r.stepsPerEpoch());
        m.put("epochs_completed", (double) r.steps() / r.stepsPerEpoch());
        m.put("resumed_from_step", r.resumedFromStep());
        m.put("stop_reason", r.stopReason());
        m.put("train_seconds", r.trainSeconds());
        Map<String, Double> history = new LinkedHashMap<>();
        r.metrics().forEach((k, v) -> {
            if (k.startsWith(EpochEvaluation.PREFIX + "epoch_")) {
                history.put(k.substring(EpochEvaluation.PREFIX.length()), v);
            }
        });
        m.put("eval_history", history);
        m.put("seed", r.spec().seed());
        m.put("threads", r.spec().threads());
        m.put("spec", r.spec());
        m.put("provenance", provenance(r.spec().threads(), r.devices()));
        return m;
    }

    /**
     * @param result an evaluation
     * @return {@code stats}, {@code stats_names}, {@code AP}, {@code AP50}, per-category and counts
     *     ({@link EvalResult#toJson()})
     */
    public static Map<String, Object> stats(EvalResult result) {
        Map<String, Object> m = new LinkedHashMap<>(result.toJson());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("stats", m.remove("stats"));
        out.put("AP", result.stat("AP"));
        out.put("AP50", result.stat("AP50"));
        out.putAll(m);
        return out;
    }
}
