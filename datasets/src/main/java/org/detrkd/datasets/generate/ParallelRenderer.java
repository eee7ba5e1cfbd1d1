package org.detrkd.datasets.generate;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Draws and writes the images of one split on a fixed number of worker threads. Workers take the next image
 * index from a shared counter; image {@code i} is drawn from its own random stream and written to its own file,
 * and its boxes are stored at position {@code i}, so the result does not depend on scheduling. The calling thread
 * logs progress while it waits.
 */
final class ParallelRenderer {
    private final SceneGenerator generator;
    private final String split;
    private final Path imageDir;
    private final int threads;
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicInteger done = new AtomicInteger();
    private final AtomicBoolean failed = new AtomicBoolean();

    ParallelRenderer(SceneGenerator generator, String split, Path imageDir, int threads) {
        this.generator = generator;
        this.split = split;
        this.imageDir = imageDir;
        this.threads = threads;
    }

    /** Renders images {@code 0..n-1}; returns their boxes in image order. */
    List<List<GeneratedBox>> run(int n) throws IOException {
        List<GeneratedBox>[] boxes = newArray(n);
        ProgressLog progress = new ProgressLog(DatasetMaker.log(), generator.name() + " " + split, n, 2000);
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "detrkd-generate");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                workers.add(pool.submit(() -> {
                    work(n, boxes);
                    return null;
                }));
            }
            for (Future<?> w : workers) {
                await(w, progress);
            }
        } finally {
            pool.shutdownNow();
        }
        double seconds = progress.elapsedSeconds();
        DatasetMaker.log().info(String.format(Locale.ROOT, "%s %s: %d images in %.1f s (%.0f images/s, %d threads)",
                generator.name(), split, n, seconds, n / Math.max(seconds, 1e-9), threads));
        return Arrays.asList(boxes);
    }

    private void work(int n, List<GeneratedBox>[] boxes) throws IOException {
        int size = generator.spec().imageSize();
        Canvas canvas = new Canvas(size, size);
        try (PngEncoder png = new PngEncoder()) {
            int i;
            while (!failed.get() && (i = next.getAndIncrement()) < n) {
                boxes[i] = List.copyOf(generator.render(canvas, split,
                        SceneRandom.forImage(generator.spec().seed(), split, i)));
                Files.write(imageDir.resolve(DatasetMaker.fileName(i)), png.encode(canvas.image()));
                done.incrementAndGet();
            }
        } catch (IOException | RuntimeException | Error e) {
            failed.set(true);
            throw e;
        }
    }

    private void await(Future<?> worker, ProgressLog progress) throws IOException {
        while (true) {
            try {
                worker.get(500, TimeUnit.MILLISECONDS);
                return;
            } catch (TimeoutException e) {
                progress.update(done.get());
            } catch (InterruptedException e) {
                failed.set(true);
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while generating " + split);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof IOException io) {
                    throw io;
                }
                if (cause instanceof RuntimeException re) {
                    throw re;
                }
                if (cause instanceof Error err) {
                    throw err;
                }
                throw new IllegalStateException(cause);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static List<GeneratedBox>[] newArray(int n) {
        return (List<GeneratedBox>[]) new List<?>[n];
    }
}
