package org.detrkd.baselines;

import ai.djl.ndarray.NDManager;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.detrkd.detr.distill.DistillationContext;
import org.detrkd.detr.distill.DistillationMethod;
import org.detrkd.detr.distill.NoDistillation;

/**
 * The one explicit map from a method name (the CLI's {@code --method}) to the factory that builds it. Adding a
 * baseline means adding one line here; nothing is discovered by reflection or class-path scanning.
 */
public final class MethodRegistry {

    /** Builds a method for a teacher/student pair; adapters go on {@code manager} (the student's). */
    @FunctionalInterface
    public interface Factory {
        /**
         * @param context teacher and student settings
         * @param manager the student's model manager
         * @param preset the method's preset name (e.g. {@code paper}), or null for its default
         * @param options individual option overrides ({@code name -> value}), applied after the preset
         * @return the method, adapters initialised
         */
        DistillationMethod create(DistillationContext context, NDManager manager, String preset,
                Map<String, String> options);
    }

    private static final Map<String, Factory> FACTORIES;

    static {
        Map<String, Factory> m = new LinkedHashMap<>();
        m.put(NoDistillation.NAME, (c, mgr, preset, options) -> noOptions(NoDistillation.NAME, options,
                new NoDistillation()));
        m.put(org.detrkd.detr.detrdistill.DetrDistill.NAME, org.detrkd.detr.detrdistill.DetrDistill::create);
        m.put(org.detrkd.baselines.kd.FitNetMethod.NAME, org.detrkd.baselines.kd.FitNetMethod::create);
        m.put(org.detrkd.baselines.kd.FgdMethod.NAME, org.detrkd.baselines.kd.FgdMethod::create);
        m.put(org.detrkd.baselines.kd.MgdMethod.NAME, org.detrkd.baselines.kd.MgdMethod::create);
        m.put(org.detrkd.baselines.kd.FkdMethod.NAME, org.detrkd.baselines.kd.FkdMethod::create);
        m.put(org.detrkd.baselines.kd.FgfiMethod.NAME, org.detrkd.baselines.kd.FgfiMethod::create);
        m.put(org.detrkd.baselines.clockdistill.ClockDistill.NAME, org.detrkd.baselines.clockdistill.ClockDistill::create);
        FACTORIES = Collections.unmodifiableMap(m);
    }

    private MethodRegistry() {}

    /** @return the known method names, in registration order */
    public static List<String> names() {
        return List.copyOf(FACTORIES.keySet());
    }

    /**
     * @param name a method name
     * @return its factory
     * @throws IllegalArgumentException for an unknown name, listing the known ones
     */
    public static Factory factory(String name) {
        Factory f = FACTORIES.get(name);
        if (f == null) {
            throw new IllegalArgumentException("unknown distillation method '" + name + "'; known: "
                    + String.join(", ", names()));
        }
        return f;
    }

    /**
     * @param name a method name
     * @param context teacher and student settings
     * @param manager the student's model manager
     * @param preset preset name or null
     * @param options option overrides
     * @return the method
     */
    public static DistillationMethod create(String name, DistillationContext context, NDManager manager,
            String preset, Map<String, String> options) {
        return factory(name).create(context, manager, preset, options);
    }

    private static DistillationMethod noOptions(String name, Map<String, String> options, DistillationMethod m) {
        if (!options.isEmpty()) {
            throw new IllegalArgumentException("method " + name + " takes no options, got " + options.keySet());
        }
        return m;
    }
}
