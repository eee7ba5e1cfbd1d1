package org.detrkd.datasets.generate;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.GZIPInputStream;
import org.detrkd.datasets.io.InputException;

/**
 * Reads an IDX file (the MNIST / Fashion-MNIST container: big-endian magic {@code 0x0000TTDD} with element type
 * {@code TT} and {@code DD} dimensions, the dimension sizes as 32-bit integers, then the elements), gzip-compressed
 * or not (recognised by the gzip magic, not the name). Only unsigned-byte elements ({@code TT = 0x08}) are
 * supported, which is what the image and label files hold.
 */
public final class IdxReader {
    private static final int UBYTE = 0x08;

    private IdxReader() {}

    /**
     * An IDX array: its dimensions and its elements in row-major order, plus the CRC-32 of the uncompressed file.
     *
     * @param dims dimension sizes, outermost first ({@code [n, 28, 28]} for images, {@code [n]} for labels)
     * @param data the elements as unsigned bytes
     * @param crc32 CRC-32 of the uncompressed IDX bytes, a fingerprint for {@code dataset.json}
     */
    public record IdxArray(int[] dims, byte[] data, long crc32) {
        /** Size of the outermost dimension. */
        public int count() {
            return dims[0];
        }

        /** Elements per entry of the outermost dimension. */
        public int entrySize() {
            int n = 1;
            for (int d = 1; d < dims.length; d++) {
                n *= dims[d];
            }
            return n;
        }
    }

    /**
     * Reads an IDX file.
     *
     * @throws InputException when the file is missing, truncated or not an unsigned-byte IDX file
     */
    public static IdxArray read(Path file) {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            raw.mark(2);
            boolean gzip = raw.read() == 0x1F && raw.read() == 0x8B;
            raw.reset();
            CRC32 crc = new CRC32();
            InputStream plain = gzip ? new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16) : raw;
            return read(new DataInputStream(new CheckedInputStream(plain, crc)), file, crc);
        } catch (NoSuchFileException e) {
            throw new InputException(file, "", "file not found");
        } catch (IOException e) {
            throw new InputException(file.toString(), "", "cannot read: " + e.getMessage(), e);
        }
    }

    private static IdxArray read(DataInputStream in, Path file, CRC32 crc) throws IOException {
        int magic;
        try {
            magic = in.readInt();
        } catch (EOFException e) {
            throw new InputException(file, "byte 0", "truncated IDX file: no header");
        }
        int type = (magic >>> 8) & 0xFF;
        int rank = magic & 0xFF;
        if ((magic >>> 16) != 0 || rank == 0) {
            throw new InputException(file, "byte 0", String.format(java.util.Locale.ROOT,
                    "not an IDX file: magic 0x%08X (expected 0x000008DD)", magic));
        }
        if (type != UBYTE) {
            throw new InputException(file, "byte 2", String.format(java.util.Locale.ROOT,
                    "unsupported IDX element type 0x%02X; only unsigned bytes (0x08) are supported", type));
        }
        int[] dims = new int[rank];
        long total = 1;
        for (int d = 0; d < rank; d++) {
            try {
                dims[d] = in.readInt();
            } catch (EOFException e) {
                throw new InputException(file, "byte " + (4 + 4 * d), "truncated IDX file: header ends early");
            }
            if (dims[d] < 0) {
                throw new InputException(file, "byte " + (4 + 4 * d), "negative dimension " + dims[d]);
            }
            total *= dims[d];
        }
        if (total > Integer.MAX_VALUE - 16) {
            throw new InputException(file, "", "IDX array too large: " + Arrays.toString(dims));
        }
        byte[] data = new byte[(int) total];
        try {
            in.readFully(data);
        } catch (EOFException e) {
            throw new InputException(file, "", "truncated IDX file: dimensions " + Arrays.toString(dims)
                    + " need " + total + " data bytes");
        }
        return new IdxArray(dims, data, crc.getValue());
    }
}
