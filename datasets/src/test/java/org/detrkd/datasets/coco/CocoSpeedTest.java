package org.detrkd.datasets.coco;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testng.annotations.Test;

/**
 * Reading and validating a generated annotation file of val2017's size (5,000 images, 36,781 annotations, 80
 * categories, polygon segmentations, about 25 MB like the real file) stays well under a generous bound.
 */
public class CocoSpeedTest {
    private static final Logger LOG = LoggerFactory.getLogger(CocoSpeedTest.class);
    /** Generous: about 1 s is typical on a 2-core machine; the bound only catches an accidental quadratic path. */
    private static final long BOUND_MS = 10_000;

    /**
     * Writes a COCO-like instances file: image sizes and ids like COCO's, 80 categories with gaps in their ids,
     * boxes inside their images, a polygon of 8 to 50 points per annotation, 1% crowd (with an RLE object).
     */
    static void generate(Path file, int images, int annotations, long seed) throws IOException {
        Random r = new Random(seed);
        int[] widths = new int[images];
        int[] heights = new int[images];
        try (JsonGenerator g = new JsonFactory().createGenerator(file.toFile(), JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeObjectFieldStart("info");
            g.writeStringField("description", "generated for CocoSpeedTest");
            g.writeEndObject();
            g.writeArrayFieldStart("images");
            for (int i = 0; i < images; i++) {
                widths[i] = r.nextBoolean() ? 640 : 300 + r.nextInt(341);
                heights[i] = r.nextBoolean() ? 480 : 200 + r.nextInt(441);
                g.writeStartObject();
                g.writeNumberField("license", 1 + r.nextInt(8));
                g.writeStringField("file_name", String.format("%012d.jpg", imageId(i)));
                g.writeStringField("coco_url", "http://example.invalid/val2017/" + imageId(i) + ".jpg");
                g.writeNumberField("height", heights[i]);
                g.writeNumberField("width", widths[i]);
                g.writeStringField("date_captured", "2013-11-14 17:02:52");
                g.writeNumberField("id", imageId(i));
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("annotations");
            for (int a = 0; a < annotations; a++) {
                int i = r.nextInt(images);
                writeAnnotation(g, r, a, i, widths[i], heights[i]);
            }
            g.writeEndArray();
            g.writeArrayFieldStart("categories");
            for (int c = 0; c < 80; c++) {
                g.writeStartObject();
                g.writeStringField("supercategory", "super" + c / 8);
                g.writeNumberField("id", categoryId(c));
                g.writeStringField("name", "class" + c);
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
    }

    static long imageId(int i) {
        return 139 + 117L * i;
    }

    static long categoryId(int c) {
        return c + 1 + c / 11;
    }

    private static void writeAnnotation(JsonGenerator g, Random r, int a, int i, int w, int h) throws IOException {
        double bw = round2(1 + r.nextDouble() * (w - 1));
        double bh = round2(1 + r.nextDouble() * (h - 1));
        double x = round2(r.nextDouble() * (w - bw));
        double y = round2(r.nextDouble() * (h - bh));
        boolean crowd = r.nextInt(100) == 0;
        g.writeStartObject();
        if (crowd) {
            g.writeObjectFieldStart("segmentation");
            g.writeArrayFieldStart("counts");
            for (int k = 0; k < 40; k++) {
                g.writeNumber(r.nextInt(500));
            }
            g.writeEndArray();
            g.writeArrayFieldStart("size");
            g.writeNumber(h);
            g.writeNumber(w);
            g.writeEndArray();
            g.writeEndObject();
        } else {
            g.writeArrayFieldStart("segmentation");
            g.writeStartArray();
            for (int k = 8 + r.nextInt(43); k > 0; k--) {
                g.writeNumber(round2(x + r.nextDouble() * bw));
                g.writeNumber(round2(y + r.nextDouble() * bh));
            }
            g.writeEndArray();
            g.writeEndArray();
        }
        g.writeNumberField("area", round2(bw * bh * (0.3 + 0.6 * r.nextDouble())));
        g.writeNumberField("iscrowd", crowd ? 1 : 0);
        g.writeNumberField("image_id", imageId(i));
        g.writeArrayFieldStart("bbox");
        g.writeNumber(x);
        g.writeNumber(y);
        g.writeNumber(bw);
        g.writeNumber(bh);
        g.writeEndArray();
        g.writeNumberField("category_id", categoryId(r.nextInt(80)));
        g.writeNumberField("id", 1_000_000L + 3L * a);
        g.writeEndObject();
    }

    private static double round2(double v) {
        return Math.floor(v * 100) / 100;
    }

    /**
     * Reads and validates {@code file} {@code repeats} times.
     *
     * @return the medians of the wall time, of this thread's CPU time (the steadier number on a shared machine) and
     *     of the validation's share of the wall time, in milliseconds
     */
    static long[] medianReadAndValidateMillis(Path file, int repeats, int images, int annotations) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long[] ms = new long[repeats];
        long[] cpu = new long[repeats];
        long[] validate = new long[repeats];
        for (int k = 0; k < repeats; k++) {
            long start = System.nanoTime();
            long cpuStart = threads.getCurrentThreadCpuTime();
            CocoDataset d = CocoJsonReader.read(file);
            long validateStart = System.nanoTime();
            List<CocoValidator.Problem> problems = CocoValidator.validate(d, file.toString());
            validate[k] = (System.nanoTime() - validateStart) / 1_000_000;
            ms[k] = (System.nanoTime() - start) / 1_000_000;
            cpu[k] = (threads.getCurrentThreadCpuTime() - cpuStart) / 1_000_000;
            assertEquals(d.images().size(), images);
            assertEquals(d.annotations().size(), annotations);
            assertEquals(d.categories().size(), 80);
            assertEquals(problems, List.of());
        }
        Arrays.sort(ms);
        Arrays.sort(cpu);
        Arrays.sort(validate);
        return new long[] {ms[repeats / 2], cpu[repeats / 2], validate[repeats / 2]};
    }

    @Test
    public void val2017SizedFileReadsAndValidatesQuickly() throws IOException {
        Path dir = Files.createTempDirectory("coco-speed");
        try {
            Path file = dir.resolve("instances_val2017.json");
            generate(file, 5000, 36781, 2017);
            long[] median = medianReadAndValidateMillis(file, 3, 5000, 36781);
            LOG.info("read+validate of a val2017-sized file ({} MB): median of 3: {} ms wall, {} ms CPU,"
                    + " validation {} ms wall", Files.size(file) / 1_000_000, median[0], median[1], median[2]);
            assertTrue(median[0] < BOUND_MS, "read+validate took " + median[0] + " ms");
        } finally {
            TestFiles.deleteTree(dir);
        }
    }
}
