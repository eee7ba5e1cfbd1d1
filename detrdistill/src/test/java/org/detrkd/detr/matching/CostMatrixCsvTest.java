package org.detrkd.detr.matching;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.expectThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.detrkd.datasets.io.InputException;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.Test;

/** {@link CostMatrixCsv}: values read exactly, and one-line errors naming file, line and column. */
public class CostMatrixCsvTest {
    private Path dir;

    @BeforeClass
    public void createDir() throws IOException {
        dir = Files.createTempDirectory("cost-csv");
    }

    @AfterClass(alwaysRun = true)
    public void deleteDir() throws IOException {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private Path write(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }

    @Test
    public void readsRowMajorValues() throws IOException {
        Path file = write("ok.csv", "\uFEFF4, 1 ,3\n2,0,-5e-1\r\n3,.5,1e6\n\n  \n");
        CostMatrixCsv m = CostMatrixCsv.read(file);
        assertEquals(m.rows(), 3);
        assertEquals(m.cols(), 3);
        assertEquals(m.values(), new double[] {4, 1, 3, 2, 0, -0.5, 3, 0.5, 1e6});
    }

    @Test
    public void readsExactDoubles() throws IOException {
        Path file = write("exact.csv", "0.1,1.0000000000000002\n1e-7,9007199254740993\n");
        CostMatrixCsv m = CostMatrixCsv.read(file);
        assertEquals(m.values(), new double[] {0.1, 1.0000000000000002, 1e-7, 9007199254740992.0});
    }

    @Test
    public void singleColumnAndSingleRow() throws IOException {
        assertEquals(CostMatrixCsv.read(write("col.csv", "1\n2\n3")).cols(), 1);
        assertEquals(CostMatrixCsv.read(write("col.csv", "1\n2\n3")).rows(), 3);
        assertEquals(CostMatrixCsv.read(write("row.csv", "1,2,3")).rows(), 1);
    }

    @Test
    public void nonNumericCell() throws IOException {
        Path file = write("text.csv", "1,2,3\n4,five,6\n");
        assertMessage(file, file + ": line 2, column 2: not a number: \"five\"");
    }

    @Test
    public void headerLineIsNotANumber() throws IOException {
        Path file = write("header.csv", "a,b\n1,2\n");
        assertMessage(file, file + ": line 1, column 1: not a number: \"a\"");
    }

    @Test
    public void emptyCell() throws IOException {
        Path file = write("emptycell.csv", "1,2,3\n4,5,\n");
        assertMessage(file, file + ": line 2, column 3: empty cell");
    }

    @Test
    public void raggedRows() throws IOException {
        Path file = write("ragged.csv", "1,2,3\n4,5,6\n7,8\n");
        assertMessage(file, file + ": line 3: row has 2 columns, expected 3 (as on line 1)");
    }

    @Test
    public void notFiniteValues() throws IOException {
        Path nan = write("nan.csv", "1,2\nNaN,3\n");
        assertMessage(nan, nan + ": line 2, column 1: cost is not finite: NaN");
        Path inf = write("inf.csv", "1,-inf\n");
        assertMessage(inf, inf + ": line 1, column 2: cost is not finite: -inf");
        Path infinity = write("infinity.csv", "1,2\n3,Infinity\n");
        assertMessage(infinity, infinity + ": line 2, column 2: cost is not finite: Infinity");
        Path overflow = write("overflow.csv", "1e400,2\n");
        assertMessage(overflow, overflow + ": line 1, column 1: cost is not finite: 1e400 overflows a double");
    }

    @Test
    public void javaOnlyNumberSyntaxIsRejected() throws IOException {
        Path file = write("hex.csv", "1,0x1p3\n");
        assertMessage(file, file + ": line 1, column 2: not a number: \"0x1p3\"");
        Path suffix = write("suffix.csv", "2d,1\n");
        assertMessage(suffix, suffix + ": line 1, column 1: not a number: \"2d\"");
    }

    @Test
    public void emptyFile() throws IOException {
        Path file = write("empty.csv", "");
        assertMessage(file, file + ": empty file: no cost rows");
        Path blank = write("blank.csv", "\n  \n");
        assertMessage(blank, blank + ": empty file: no cost rows");
    }

    @Test
    public void blankLineBetweenRows() throws IOException {
        Path file = write("gap.csv", "1,2\n\n3,4\n");
        assertMessage(file, file + ": line 2: blank line: rows must be on consecutive lines");
    }

    @Test
    public void leadingBlankLine() throws IOException {
        Path file = write("lead.csv", "\n1,2\n");
        assertMessage(file, file + ": line 1: blank line: rows must be on consecutive lines");
    }

    @Test
    public void missingFile() {
        Path file = dir.resolve("absent.csv");
        assertMessage(file, file + ": no such file");
    }

    private static void assertMessage(Path file, String expected) {
        InputException e = expectThrows(InputException.class, () -> CostMatrixCsv.read(file));
        assertEquals(e.getMessage(), expected);
        assertEquals(e.file(), file.toString());
    }
}
