package org.detrkd.reports.render;

import freemarker.template.Configuration;
import freemarker.template.Template;
import freemarker.template.TemplateException;
import freemarker.template.TemplateExceptionHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.detrkd.reports.aggregate.SuiteSummary;
import org.detrkd.reports.model.LoadedResult;
import org.detrkd.reports.model.ResultRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The static HTML site, from Freemarker templates in this module's resources: {@code index.html}, one page per suite
 * and scale ({@code suites/}), one page per cell ({@code cells/}), {@code leaderboard.html} and {@code style.css}.
 * Everything is local (no CDN, no network); selection-mask images are copied next to their cell page.
 */
public final class HtmlSite implements ResultFormat {
    private static final Logger LOG = LoggerFactory.getLogger(HtmlSite.class);
    private static final String TEMPLATES = "/org/detrkd/reports/templates";

    private final Configuration freemarker;

    /** A site renderer with its own Freemarker configuration (Locale.ROOT, HTML auto-escaping). */
    public HtmlSite() {
        freemarker = new Configuration(Configuration.VERSION_2_3_33);
        freemarker.setClassForTemplateLoading(HtmlSite.class, TEMPLATES);
        freemarker.setDefaultEncoding("UTF-8");
        freemarker.setOutputEncoding("UTF-8");
        freemarker.setLocale(Locale.ROOT);
        freemarker.setNumberFormat("computer");
        freemarker.setTemplateExceptionHandler(TemplateExceptionHandler.RETHROW_HANDLER);
        freemarker.setLogTemplateExceptions(false);
        freemarker.setWrapUncheckedExceptions(true);
        freemarker.setFallbackOnNullLoopVariable(false);
    }

    @Override
    public String name() {
        return "html";
    }

    @Override
    public List<Path> write(ReportModel model, Path outDir) {
        List<Path> written = new ArrayList<>();
        written.add(render("index.ftlh", index(model), "", outDir.resolve("index.html")));
        written.add(render("leaderboard.ftlh", HtmlViews.leaderboard(model.suites()), "",
                outDir.resolve("leaderboard.html")));
        for (SuiteSummary s : model.suites()) {
            written.add(render("suite.ftlh", HtmlViews.suite(s, model.rule()), "../",
                    outDir.resolve(HtmlViews.suitePath(s))));
        }
        for (LoadedResult c : model.results()) {
            List<String> images = copyImages(c, outDir);
            written.add(render("cell.ftlh", CellPage.view(c.record(), images), "../../",
                    outDir.resolve(HtmlViews.cellPath(c.record()))));
        }
        written.add(copyResource("style.css", outDir.resolve("style.css")));
        return written;
    }

    private Map<String, Object> index(ReportModel model) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("suites", model.suites().stream().map(HtmlViews::suiteLink).toList());
        m.put("cells", model.results().size());
        m.put("asOf", model.asOf());
        m.put("paperSource", model.paperSource());
        return m;
    }

    private Path render(String template, Map<String, Object> view, String root, Path file) {
        Map<String, Object> data = new LinkedHashMap<>(view);
        data.put("root", root);
        try {
            Files.createDirectories(file.getParent());
            Template t = freemarker.getTemplate(template);
            try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                t.process(data, w);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        } catch (TemplateException e) {
            throw new IllegalStateException("template " + template + " failed: " + e.getMessage(), e);
        }
        return file;
    }

    private List<String> copyImages(LoadedResult c, Path outDir) {
        ResultRecord r = c.record();
        List<String> out = new ArrayList<>();
        if (r.maskImages() == null) {
            return out;
        }
        Path base = c.file().toAbsolutePath().getParent();
        for (int i = 0; i < r.maskImages().size(); i++) {
            Path src = base.resolve(r.maskImages().get(i));
            if (!Files.isRegularFile(src)) {
                LOG.warn("{}: /mask_images/{}: no such file {}, not shown", c.file(), i, src);
                continue;
            }
            String name = src.getFileName().toString();
            String ext = name.contains(".") ? name.substring(name.lastIndexOf('.')) : "";
            String target = HtmlViews.cellBase(r) + "-mask" + i + Fmt.slug(ext);
            try {
                Path dst = outDir.resolve(HtmlViews.cellDir(r)).resolve(target);
                Files.createDirectories(dst.getParent());
                Files.copy(src, dst, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot copy " + src, e);
            }
            out.add(target);
        }
        return out;
    }

    private static Path copyResource(String name, Path file) {
        try (InputStream in = HtmlSite.class.getResourceAsStream(TEMPLATES + "/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + TEMPLATES + "/" + name);
            }
            Files.createDirectories(file.getParent());
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        return file;
    }
}
