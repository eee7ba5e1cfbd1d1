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
 * Opens the rendered site in headless Chromium: a screenshot of {@code index.html} must be written and not blank; a
 * suite page must show its DISAGREE and within-noise marks in their colours; a cell page must lay out its charts and
 * load its selection-mask image; the leaderboard's inline script must sort on a header click and filter by scale.
 * Skipped when {@code /usr/bin/chromium} is absent (CI installs it).
 *
 * <p>A screenshot for the README: with {@code -Ddetrkd.screenshot=FILE} the suite-page test also saves its screenshot
 * (1280 x 900, at most 300 KB) to {@code FILE}; {@code -Ddetrkd.screenshotPage=HTML_FILE} takes it of another page,
 * e.g. a suite page of a real report, instead of the fixture's table 5. From the worktree root:
 * {@code ./mvnw -B -o -q -pl reports test -Dtest=ChromiumSiteTest -Ddetrkd.screenshot=$PWD/docs/report-screenshot.png
 * -Ddetrkd.screenshotPage=$PWD/report/suites/table5-mini.html} (relative paths resolve against {@code reports/}).
 */
public class ChromiumSiteTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final long MAX_SCREENSHOT_BYTES = 300 * 1024;
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

    /** How many sampled pixels (every second row and column) have exactly the colour {@code rgb}. */
    private static int pixels(BufferedImage img, int rgb) {
        int n = 0;
        for (int y = 0; y < img.getHeight(); y += 2) {
            for (int x = 0; x < img.getWidth(); x += 2) {
                n += (img.getRGB(x, y) & 0xffffff) == rgb ? 1 : 0;
            }
        }
        return n;
    }

    @Test
    public void suitePageShowsItsMarksAndLegend() throws Exception {
        Path png = work.resolve("table5.png");
        chromium(List.of("--screenshot=" + png, "--window-size=1280,900", "--hide-scrollbars"),
                site.resolve("suites/table5-mini.html").toUri().toString());
        assertTrue(Files.isRegularFile(png), "no screenshot written; chromium stderr: "
                + Files.readString(work.resolve("stderr.txt")));
        BufferedImage img = ImageIO.read(png.toFile());
        // style.css: the DISAGREE badge is #c62828, a DISAGREE cell #ffebee, the within-noise badge #e0e0e0
        assertTrue(pixels(img, 0xc62828) > 20, "no DISAGREE badge drawn");
        assertTrue(pixels(img, 0xffebee) > 200, "no DISAGREE cell drawn");
        assertTrue(pixels(img, 0xe0e0e0) > 20, "no within-noise mark drawn");
        String dom = chromium(List.of("--dump-dom"), site.resolve("suites/table5-mini.html").toUri().toString());
        assertTrue(dom.contains("<summary>Direction rule</summary>"), "legend missing");
        assertEquals(count(dom, "class=\"num noise-cell\""), 3, "within-noise values: FD APs, AD AP, AD APs");
        assertEquals(count(dom, "class=\"num dis-cell\""), 2, "DISAGREE values: AD APm, AD APl");
        saveScreenshotIfAsked(png);
    }

    private void saveScreenshotIfAsked(Path fixturePng) throws Exception {
        String target = System.getProperty("detrkd.screenshot", "");
        if (target.isBlank()) {
            return;
        }
        Path out = Path.of(target).toAbsolutePath();
        Path png = fixturePng;
        String page = System.getProperty("detrkd.screenshotPage", "");
        if (!page.isBlank()) {
            Path html = Path.of(page).toAbsolutePath();
            assertTrue(Files.isRegularFile(html), "detrkd.screenshotPage: no such file " + html);
            png = work.resolve("page.png");
            chromium(List.of("--screenshot=" + png, "--window-size=1280,900", "--hide-scrollbars"),
                    html.toUri().toString());
        }
        assertTrue(Files.size(png) <= MAX_SCREENSHOT_BYTES, "screenshot is " + Files.size(png) + " bytes, over "
                + MAX_SCREENSHOT_BYTES + ": not saved to " + out);
        Files.createDirectories(out.getParent());
        Files.copy(png, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    private static int count(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }

    @Test
    public void cellPageDrawsItsChartsAndImage() throws Exception {
        Path probe = site.resolve("cell-probe.html");
        Files.writeString(probe, """
                <!DOCTYPE html><html><body><iframe id="f" src="cells/table5-mini/adamixer-ld-seed0.html"
                width="1200" height="900"></iframe><script>
                document.getElementById('f').onload = function () {
                  var d = document.getElementById('f').contentDocument;
                  var charts = Array.prototype.filter.call(d.querySelectorAll('svg.chart'),
                      function (c) { var r = c.getBoundingClientRect(); return r.width > 500 && r.height > 200; });
                  var imgs = Array.prototype.filter.call(d.querySelectorAll('img'),
                      function (i) { return i.complete && i.naturalWidth === 32; });
                  var out = document.createElement('pre'); out.id = 'out';
                  out.textContent = charts.length + ' charts, ' + imgs.length + ' images, '
                      + d.querySelectorAll('h2').length + ' sections'; document.body.appendChild(out);
                };
                </script></body></html>
                """);
        String dom = chromium(List.of("--allow-file-access-from-files", "--virtual-time-budget=5000", "--dump-dom"),
                probe.toUri().toString());
        Matcher m = Pattern.compile("<pre id=\"out\">([^<]*)</pre>").matcher(dom);
        assertTrue(m.find(), "probe did not run: " + dom);
        // loss terms, AP vs epoch, instability; the 32 x 32 selection mask; 7 sections (see the golden cell page)
        assertEquals(m.group(1), "3 charts, 1 images, 7 sections");
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
