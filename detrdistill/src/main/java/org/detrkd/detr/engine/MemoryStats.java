package org.detrkd.detr.engine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A memory sample: JVM heap, and the process's resident set (native tensors live outside the heap) from
 * {@code /proc/self/status} where it exists (Linux); {@code -1} elsewhere.
 *
 * @param heapUsedBytes JVM heap in use
 * @param heapMaxBytes JVM heap limit
 * @param rssBytes current resident set size ({@code VmRSS})
 * @param peakRssBytes peak resident set size of the process so far ({@code VmHWM})
 */
public record MemoryStats(long heapUsedBytes, long heapMaxBytes, long rssBytes, long peakRssBytes) {

    private static final Path STATUS = Path.of("/proc/self/status");

    /**
     * @return the current sample
     */
    public static MemoryStats sample() {
        Runtime rt = Runtime.getRuntime();
        long rss = -1;
        long hwm = -1;
        if (Files.isReadable(STATUS)) {
            try {
                for (String line : Files.readAllLines(STATUS, StandardCharsets.US_ASCII)) {
                    if (line.startsWith("VmRSS:")) {
                        rss = kib(line);
                    } else if (line.startsWith("VmHWM:")) {
                        hwm = kib(line);
                    }
                }
            } catch (IOException | RuntimeException e) {
                rss = -1;
                hwm = -1;
            }
        }
        return new MemoryStats(rt.totalMemory() - rt.freeMemory(), rt.maxMemory(), rss, hwm);
    }

    private static long kib(String line) {
        String[] parts = line.substring(line.indexOf(':') + 1).trim().split("\\s+");
        return Long.parseLong(parts[0]) * 1024L;
    }

    /**
     * @return e.g. {@code "heap 120/6144 MiB, rss 900 MiB (peak 1024 MiB)"}
     */
    @Override
    public String toString() {
        return String.format(Locale.ROOT, "heap %d/%d MiB, rss %s MiB (peak %s MiB)", heapUsedBytes >> 20,
                heapMaxBytes >> 20, rssBytes < 0 ? "?" : Long.toString(rssBytes >> 20),
                peakRssBytes < 0 ? "?" : Long.toString(peakRssBytes >> 20));
    }
}
