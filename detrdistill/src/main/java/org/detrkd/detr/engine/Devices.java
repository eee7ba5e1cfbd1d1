package org.detrkd.detr.engine;

import ai.djl.Device;
import ai.djl.engine.Engine;
import org.detrkd.datasets.io.InputException;

import java.util.ArrayList;
import java.util.List;

/**
 * The devices a run trains on, from the command line's {@code --devices N}: the first {@code N} GPUs the engine sees
 * ({@code Engine.getInstance().getGpuCount()}), one model replica on each, data-parallel when {@code N > 1}
 * ({@link DataParallel}); {@code 0} (the default) trains on the CPU with the explicit intra-op thread count
 * ({@link EngineThreads}). Asking for more GPUs than the engine sees is an input error naming how many it sees.
 *
 * <p>The first device is the primary: the model given to the engine lives there, the batch is loaded there, and the
 * optimizer and checkpoints use its parameters.
 */
public final class Devices {

    /** The option that selects them. */
    public static final String OPTION = "--devices";

    private Devices() {}

    /**
     * @param n {@code --devices}: 0 for the CPU, else the number of GPUs
     * @return the devices, primary first: {@code [cpu()]} for 0, {@code [gpu(0), ..., gpu(n-1)]} otherwise
     * @throws InputException for a negative {@code n} or more GPUs than the engine sees (starts the engine)
     */
    public static List<Device> select(int n) {
        if (n < 0) {
            throw new InputException((String) null, OPTION, "must be 0 (CPU) or a number of GPUs, got " + n, null);
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
