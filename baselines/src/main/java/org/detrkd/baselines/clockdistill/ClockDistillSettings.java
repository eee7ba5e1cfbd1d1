package org.detrkd.baselines.clockdistill;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.detrkd.baselines.kd.KdOptions;

/**
 * CLoCKDistill's hyper-parameters. The paper's code is not public and its full text was not available to us (only
 * the abstract): EVERY value here is ours, chosen to be simple and of the same scale as the detection terms; reports
 * must mark them as such.
 *
 * @param memory whether the location-enriched memory term is on ({@code memory}, true)
 * @param queries whether the target-aware query term is on ({@code queries}, true)
 * @param lambdaMemory weight of {@link ClockDistill#MEMORY} ({@code lambda-memory}, 1.0; as DETRDistill's released
 *     feature weight)
 * @param beta extra weight of memory positions inside a ground-truth box: weight {@code 1 + beta} inside, 1 outside,
 *     0 on padding ({@code beta}, 1.0)
 * @param lambdaQueryCls weight of {@link ClockDistill#QUERY_CLS} ({@code lambda-query-cls}, 2.0; as the detection
 *     class weight)
 * @param lambdaQueryBox weight of {@link ClockDistill#QUERY_BOX} ({@code lambda-query-box}, 5.0; as the detection L1
 *     weight)
 * @param alwaysAdapt put a learned linear adapter on the student memory even when the widths agree
 *     ({@code memory-adapter}, false: only when they differ)
 */
public record ClockDistillSettings(boolean memory, boolean queries, double lambdaMemory, double beta,
        double lambdaQueryCls, double lambdaQueryBox, boolean alwaysAdapt) {

    /** Option names. */
    public static final List<String> OPTIONS = List.of("memory", "queries", "lambda-memory", "beta",
            "lambda-query-cls", "lambda-query-box", "memory-adapter");

    /** Our defaults (see the parameters). */
    public static final ClockDistillSettings DEFAULT = new ClockDistillSettings(true, true, 1.0, 1.0, 2.0, 5.0, false);

    /** Checks the values. */
    public ClockDistillSettings {
        if (beta < 0) {
            throw new IllegalArgumentException("CLoCKDistill beta must be >= 0, got " + beta);
        }
        if (!memory && !queries) {
            throw new IllegalArgumentException("CLoCKDistill needs memory=true or queries=true");
        }
    }

    /**
     * @param preset {@code ours} or null
     * @param options overrides by name ({@link #OPTIONS})
     * @return the settings
     */
    public static ClockDistillSettings of(String preset, Map<String, String> options) {
        if (preset != null && !preset.equals("ours")) {
            throw new IllegalArgumentException("unknown CLoCKDistill preset '" + preset + "'; known: ours");
        }
        KdOptions o = new KdOptions("CLoCKDistill", options, OPTIONS);
        ClockDistillSettings d = DEFAULT;
        return new ClockDistillSettings(o.getBoolean("memory", d.memory()), o.getBoolean("queries", d.queries()),
                o.getDouble("lambda-memory", d.lambdaMemory()), o.getDouble("beta", d.beta()),
                o.getDouble("lambda-query-cls", d.lambdaQueryCls()), o.getDouble("lambda-query-box",
                        d.lambdaQueryBox()), o.getBoolean("memory-adapter", d.alwaysAdapt()));
    }

    /** @return every setting, for {@code spec.json}; {@code hyper_parameters: ours} marks them as unverified */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("preset", "ours");
        m.put("hyper_parameters", "ours (paper code not public)");
        m.put("memory", memory);
        m.put("queries", queries);
        m.put("lambda_memory", lambdaMemory);
        m.put("beta", beta);
        m.put("lambda_query_cls", lambdaQueryCls);
        m.put("lambda_query_box", lambdaQueryBox);
        m.put("memory_adapter", alwaysAdapt);
        return m;
    }
}
