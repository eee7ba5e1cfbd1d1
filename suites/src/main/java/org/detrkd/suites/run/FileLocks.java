package org.detrkd.suites.run;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Exclusive file locks between processes (shards of one suite sharing the teacher cache and the data folder). The
 * lock is released when the process dies, so a killed shard never leaves one behind. On network file systems
 * without lock support the lock may be advisory only: shards then at worst train the same teacher twice, each
 * writing it atomically.
 */
final class FileLocks {
    private FileLocks() {
    }

    /** A held lock; closing releases it. */
    interface Held extends AutoCloseable {
        @Override
        void close() throws IOException;
    }

    /** Blocks until the lock on {@code file} (created if needed) is held. */
    static Held acquire(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = ch.lock();
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        return () -> {
            try {
                lock.release();
            } finally {
                ch.close();
            }
        };
    }
}
