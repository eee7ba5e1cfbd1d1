package org.detrkd.detr.loss;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes use-after-free of Java direct buffers visible. DJL's PyTorch engine on the CPU wraps Java data without
 * copying ({@code torch::from_blob}); if such an array is freed (garbage collected after {@code close}) while the
 * autograd graph still holds it, the backward pass reads whatever reuses that memory. Calling this between forward
 * and backward frees what can be freed and fills reused memory with 0x7f bytes, so such a gradient becomes garbage
 * instead of silently right.
 */
public final class DirectMemoryScribbler {

    private DirectMemoryScribbler() {}

    /** Runs the collector a few times and overwrites newly allocated direct memory. */
    public static void scribble() {
        for (int round = 0; round < 5; round++) {
            System.gc();
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            List<ByteBuffer> junk = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                ByteBuffer b = ByteBuffer.allocateDirect(16 << i % 8);
                while (b.hasRemaining()) {
                    b.put((byte) 0x7f);
                }
                junk.add(b);
            }
        }
    }
}
