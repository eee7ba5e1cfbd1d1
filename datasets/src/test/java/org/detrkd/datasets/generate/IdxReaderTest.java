package org.detrkd.datasets.generate;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.expectThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import org.detrkd.datasets.io.InputException;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.Test;

/** The IDX reader on tiny files written here: plain and gzip, and its messages for broken files. */
public class IdxReaderTest {
    private Path tmp;

    @BeforeClass
    public void setUp() throws IOException {
        tmp = Files.createTempDirectory("detrkd-idx");
    }

    @AfterClass(alwaysRun = true)
    public void tearDown() throws IOException {
        TestFolders.delete(tmp);
    }

    private static byte[] counting(int n) {
        byte[] data = new byte[n];
        for (int i = 0; i < n; i++) {
            data[i] = (byte) (i * 11);
        }
        return data;
    }

    @Test
    public void readsPlainAndGzipFilesAlike() throws IOException {
        byte[] data = counting(2 * 3 * 4);
        IdxFiles.write(tmp.resolve("plain"), new int[] {2, 3, 4}, data, false);
        IdxFiles.write(tmp.resolve("packed.gz"), new int[] {2, 3, 4}, data, true);
        for (String name : new String[] {"plain", "packed.gz"}) {
            IdxReader.IdxArray a = IdxReader.read(tmp.resolve(name));
            assertEquals(a.dims(), new int[] {2, 3, 4}, name);
            assertEquals(a.data(), data, name);
            assertEquals(a.count(), 2);
            assertEquals(a.entrySize(), 12);
            assertEquals(a.data()[23] & 0xFF, (23 * 11) & 0xFF);
        }
        CRC32 crc = new CRC32();
        crc.update(Files.readAllBytes(tmp.resolve("plain")));
        assertEquals(IdxReader.read(tmp.resolve("packed.gz")).crc32(), crc.getValue());
    }

    @Test
    public void readsLabelFiles() throws IOException {
        IdxFiles.write(tmp.resolve("labels"), new int[] {5}, new byte[] {9, 0, 3, 3, 1}, true);
        IdxReader.IdxArray a = IdxReader.read(tmp.resolve("labels"));
        assertEquals(a.dims(), new int[] {5});
        assertEquals(a.data(), new byte[] {9, 0, 3, 3, 1});
        assertEquals(a.entrySize(), 1);
    }

    @Test
    public void truncatedDataIsReported() throws IOException {
        Path f = tmp.resolve("short");
        IdxFiles.write(f, new int[] {3, 2}, counting(6), false);
        byte[] all = Files.readAllBytes(f);
        Files.write(f, java.util.Arrays.copyOf(all, all.length - 2));
        InputException e = expectThrows(InputException.class, () -> IdxReader.read(f));
        assertEquals(e.getMessage(), f + ": truncated IDX file: dimensions [3, 2] need 6 data bytes");
    }

    @Test
    public void otherElementTypesAreRefused() throws IOException {
        Path f = tmp.resolve("floats");
        Files.write(f, new byte[] {0, 0, 0x0D, 1, 0, 0, 0, 1, 0, 0, 0, 0});
        InputException e = expectThrows(InputException.class, () -> IdxReader.read(f));
        assertEquals(e.getMessage(),
                f + ": byte 2: unsupported IDX element type 0x0D; only unsigned bytes (0x08) are supported");
    }

    @Test
    public void nonIdxFilesAreRefused() throws IOException {
        Path f = tmp.resolve("text");
        Files.writeString(f, "hello world");
        InputException e = expectThrows(InputException.class, () -> IdxReader.read(f));
        assertEquals(e.getMessage(), f + ": byte 0: not an IDX file: magic 0x68656C6C (expected 0x000008DD)");
    }

    @Test
    public void missingFileIsReported() {
        Path f = tmp.resolve("absent");
        InputException e = expectThrows(InputException.class, () -> IdxReader.read(f));
        assertEquals(e.getMessage(), f + ": file not found");
    }
}
