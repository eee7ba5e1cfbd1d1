package org.detrkd.detr.engine;

import ai.djl.Device;
import ai.djl.engine.Engine;
import org.detrkd.datasets.io.InputException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * The devices a run trains on, from the command line's {@code --devices auto|N}: the first {@code N} GPUs the engine
 * sees ({@code Engine.getInstance().getGpuCount()}), one model replica on each, data-parallel when {@code N > 1}
 * ({@link DataParallel}); {@code 0} trains on the CPU with the explicit intra-op thread count ({@link EngineThreads}).
 * {@code auto} (the default) takes every GPU the engine sees, or as many as divide the batch evenly, and the CPU when
 * it sees none. Asking for more GPUs than the engine sees is an input error naming how many it sees.
 *
 * <p>The first device is the primary: the model given to the engine lives there, the batch is loaded there, and the
 * optimizer and checkpoints use its parameters.
 */
public final class Devices {

    /** The option that selects them. */
    public static final String OPTION = "--devices";

    /** The value that takes every GPU the engine sees, or the CPU when there is none. */
    public static final String AUTO = "auto";

    private static final Logger LOG = LoggerFactory.getLogger(Devices.class);

    private Devices() {}

    /**
     * Resolves the option's value.
     *
     * @param value {@code auto}, or {@code 0} for the CPU, or a number of GPUs
     * @param fits whether a device count splits every batch of the run evenly (used by {@code auto} only)
     * @return the devices, primary first (see {@link #select(int)})
     * @throws InputException for a value that is neither {@code auto} nor a count, and as {@link #select(int)}
     */
    public static List<Device> select(String value, IntPredicate fits) {
        if (AUTO.equals(value)) {
            int visible = Engine.getInstance().getGpuCount();
            int n = auto(visible, fits);
            if (visible == 0) {
                LOG.info("--devices auto: the engine sees no GPU (a CPU-only libtorch, no CUDA device, or a CUDA "
                        + "driver older than the libtorch's); training on the CPU");
            } else {
                LOG.info("--devices auto: {} of the {} GPU(s) the engine sees", n, visible);
            }
            return select(n);
        }
        int n;
        try {
            n = Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new InputException((String) null, OPTION, "must be auto, 0 (CPU) or a number of GPUs, got '"
                    + value + "'", null);
        }
        return select(n);
    }

    /**
     * What {@code auto} picks.
     *
     * @param visible GPUs the engine sees
     * @param fits whether a device count splits every batch of the run evenly
     * @return the largest count from {@code visible} down to 1 that fits (1 always does for a sensible {@code fits});
     *     0 (the CPU) when the engine sees no GPU
     */
    static int auto(int visible, IntPredicate fits) {
        for (int n = visible; n > 1; n--) {
            if (fits.test(n)) {
                return n;
            }
        }
        return visible > 0 ? 1 : 0;
    }

    /**
     * @param n {@code --devices}: 0 for the CPU, else the number of GPUs
     * @return the devices, primary first: {@code [cpu()]} for 0, {@code [gpu(0), ..., gpu(n-1)]} otherwise
     * @throws InputException for a negative {@code n} or more GPUs than the engine sees (starts the engine)
     */
    public static List<Device> select(int n) {
        if (n < 0) {
            throw new InputException((String) null, OPTION, "must be auto, 0 (CPU) or a number of GPUs, got " + n, null);
        }
        if (n == 0) {
            return List.of(Device.cpu());
        }
        int visible = Engine.getInstance().getGpuCount();
        if (n > visible) {
            throw new InputException((String) null, OPTION, "asked for " + n + " GPU" + (n == 1 ? "" : "s")
                    + " but the engine sees " + visible + (visible == 0 ? " (a CPU-only libtorch or no CUDA device)"
                    : "") + "; use --devices " + (visible == 0 ? "0 (CPU, with --threads)" : "1.." + visible), null);
        }
        List<Device> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(Device.gpu(i));
        }
        return List.copyOf(out);
    }

    /**
     * @param devices devices, primary first
     * @return their names as results record them ({@code cpu()}, {@code gpu(0)}, ...)
     */
    public static List<String> names(List<Device> devices) {
        return devices.stream().map(Device::toString).toList();
    }
}
