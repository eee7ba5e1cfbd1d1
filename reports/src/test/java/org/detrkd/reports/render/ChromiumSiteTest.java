package org.detrkd.reports.render;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.testng.SkipException;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.Test;

/**
 * Opens the rendered site in headless Chromium: a screenshot of {@code index.html} must be written and not blank, and
 * the leaderboard's inline script must sort on a header click and filter by scale. Skipped when
 * {@code /usr/bin/chromium} is absent (CI installs it).
 */
public class ChromiumSiteTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private Path site;
    private Path work;

    @BeforeClass
    public void render() throws IOException {
        if (!Files.isExecutable(CHROMIUM)) {
            throw new SkipException("headless browser test skipped: " + CHROMIUM + " is not installed "
                    + "(apt-get install -y chromium)");
        }
        site = GoldenFilesTest.renderStandardSet();
        work = Files.createTempDirectory("detrkd-chromium");
    }

    private String chromium(List<String> extra, String url) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync",
                "--user-data-dir=" + work.resolve("profile")));
        cmd.addAll(extra);
        cmd.add(url);
        Path stdout = work.resolve("stdout.txt");
        Process p = new ProcessBuilder(cmd).redirectOutput(stdout.toFile())
                .redirectError(work.resolve("stderr.txt").toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("chromium did not finish in 120 s: " + cmd);
        }
        return Files.readString(stdout, StandardCharsets.UTF_8);
    }

    @Test
    public void indexScreenshotIsWrittenAndNotBlank() throws Exception {
        Path png = work.resolve("index.png");
        chromium(List.of("--screenshot=" + png, "--window-size=1280,900"), site.resolve("index.html").toUri().toString());
        assertTrue(Files.isRegularFile(png), "no screenshot written; chromium stderr: "
                + Files.readString(work.resolve("stderr.txt")));
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(img.getWidth(), 1280);
        Map<Integer, Integer> counts = new HashMap<>();
        for (int y = 0; y < img.getHeight(); y += 2) {
            for (int x = 0; x < img.getWidth(); x += 2) {
                counts.merge(img.getRGB(x, y), 1, Integer::sum);
            }
        }
        int total = counts.values().stream().mapToInt(Integer::intValue).sum();
        int background = counts.values().stream().mapToInt(Integer::intValue).max().orElse(0);
        assertTrue(counts.size() > 20, "only " + counts.size() + " colours: blank page?");
        assertTrue(total - background > total / 50, "less than 2% of the page differs from the background");
        // the dark navigation bar is at the top: the page's own stylesheet was applied
        int nav = img.getRGB(5, 5) & 0xffffff;
        assertEquals(Integer.toHexString(nav), "243447");
    }

    @Test
    public void leaderboardSortsAndFilters() throws Exception {
        Path probe = site.resolve("sort-probe.html");
        Files.writeString(probe, """
                <!DOCTYPE html><html><body><iframe id="f" src="leaderboard.html"></iframe><script>
                document.getElementById('f').onload = function () {
                  var d = document.getElementById('f').contentDocument;
                  d.querySelectorAll('#board thead th')[4].click();
                  var order = Array.prototype.map.call(d.querySelectorAll('#board tbody tr'),
                      function (r) { return r.cells[4].textContent; });
                  var sel = d.getElementById('scale'); sel.value = 'smoke'; sel.dispatchEvent(new Event('change'));
                  var shown = Array.prototype.filter.call(d.querySelectorAll('#board tbody tr'),
                      function (r) { return !r.hidden; }).length;
                  var out = document.createElement('pre'); out.id = 'out';
                  out.textContent = order.join('|') + '#' + shown; document.body.appendChild(out);
                };
                </script></body></html>
                """);
        String dom = chromium(List.of("--allow-file-access-from-files", "--virtual-time-budget=5000", "--dump-dom"),
                probe.toUri().toString());
        Matcher m = Pattern.compile("<pre id=\"out\">([^<]*)</pre>").matcher(dom);
        assertTrue(m.find(), "probe did not run: " + dom);
        // column 4 is adamixer: ascending by mean AP, the row without an adamixer number (clockdistill) last;
        // fgd is the mean of table 3 (42.5, +0.4) and table 1 at 12 epochs (40.5, -1.5); 2 smoke rows
        assertEquals(m.group(1), "1.0|1.2 (+0.2)|41.5 (-0.6)|41.8 (-0.4)|42.1|42.2|43.1 (+0.9)|43.7 (+1.6)|"
                + "43.8 (+1.6)|44.5 (+2.4)|#2");
    }
}
