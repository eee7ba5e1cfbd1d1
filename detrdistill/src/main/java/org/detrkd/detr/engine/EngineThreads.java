package org.detrkd.detr.engine;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Thread settings of the PyTorch engine, the biggest speed lever on a small CPU machine.
 *
 * <p>The engine reads {@value #INTRA_OP_PROPERTY} and {@value #INTER_OP_PROPERTY} once, when it starts: call
 * {@link #configure} before anything touches {@code Engine.getInstance()} or creates an array (the CLI does it first
 * thing), or pass {@code -D} options to the JVM. The default is one intra-op thread per core
 * ({@link Runtime#availableProcessors()}) and one inter-op thread (DJL runs ops from one Java thread, so inter-op
 * parallelism is unused). On a machine shared with other busy processes fewer threads are often faster: measure.
 */
public final class EngineThreads {

    /** System property for intra-op (OpenMP) threads. */
    public static final String INTRA_OP_PROPERTY = "ai.djl.pytorch.num_threads";
    /** System property for inter-op threads. */
    public static final String INTER_OP_PROPERTY = "ai.djl.pytorch.num_interop_threads";

    private EngineThreads() {}

    /**
     * @return the default intra-op thread count: the number of cores the JVM sees
     */
    public static int defaultIntraOp() {
        return Runtime.getRuntime().availableProcessors();
    }

    /**
     * Sets the thread properties for an engine that has not started yet.
     *
     * @param intraOp intra-op threads ({@code <= 0}: {@link #defaultIntraOp()})
     * @param interOp inter-op threads ({@code <= 0}: 1)
     */
    public static void configure(int intraOp, int interOp) {
        System.setProperty(INTRA_OP_PROPERTY, Integer.toString(intraOp > 0 ? intraOp : defaultIntraOp()));
        System.setProperty(INTER_OP_PROPERTY, Integer.toString(interOp > 0 ? interOp : 1));
    }

    /**
     * Starts the engine if needed and reads the effective counts from libtorch.
     *
     * @return the effective settings
     */
    public static Report report() {
        Engine engine = Engine.getInstance();
        return new Report(engine.getEngineName() + " " + engine.getVersion(), JniUtils.getNumThreads(),
                JniUtils.getNumInteropThreads(), defaultIntraOp(), System.getProperty(INTRA_OP_PROPERTY),
                System.getProperty(INTER_OP_PROPERTY));
    }

    /**
     * Effective thread settings.
     *
     * @param engine engine name and version
     * @param intraOp intra-op threads libtorch uses
     * @param interOp inter-op threads libtorch uses
     * @param cores processors visible to the JVM
     * @param intraOpProperty the requested value ({@code null} if unset)
     * @param interOpProperty the requested value ({@code null} if unset)
     */
    public record Report(String engine, int intraOp, int interOp, int cores, String intraOpProperty,
            String interOpProperty) {}
}
