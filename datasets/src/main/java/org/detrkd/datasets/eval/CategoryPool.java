package org.detrkd.datasets.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Runs one task per category on a fixed pool of N threads. Each category is computed entirely by one thread with
 * that thread's own worker (scratch buffers), and every task writes only its own category's slots, so results are
 * bit-for-bit independent of N and of scheduling. Categories are handed out largest first (by a work estimate) from
 * a shared counter, which balances COCO's skewed class sizes.
 */
final class CategoryPool {
    private CategoryPool() {}

    /** The work of one category, done by a per-thread worker. */
    interface Task<W> {
        void run(W worker, int category);
    }

    /**
     * Runs {@code task} for every category.
     *
     * @param threads number of threads (1 = the calling thread only)
     * @param work a work estimate per category, used only for ordering
     */
    static <W> void forEach(int threads, long[] work, Supplier<W> workers, Task<W> task) {
        int[] order = largestFirst(work);
        int n = Math.max(1, Math.min(threads, order.length));
        if (n == 1) {
            W w = workers.get();
            for (int k : order) {
                task.run(w, k);
            }
            return;
        }
        AtomicInteger next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(n, r -> {
            Thread t = new Thread(r, "coco-eval");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                futures.add(pool.submit(() -> {
                    W w = workers.get();
                    for (int j = next.getAndIncrement(); j < order.length; j = next.getAndIncrement()) {
                        task.run(w, order[j]);
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("evaluation interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    private static int[] largestFirst(long[] work) {
        Integer[] boxed = new Integer[work.length];
        for (int i = 0; i < boxed.length; i++) {
            boxed[i] = i;
        }
        java.util.Arrays.sort(boxed, (a, b) -> Long.compare(work[b], work[a]));
        int[] order = new int[boxed.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = boxed[i];
        }
        return order;
    }
}
