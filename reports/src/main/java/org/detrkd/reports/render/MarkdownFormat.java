package org.detrkd.reports.render;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.detrkd.reports.aggregate.AggregateRow;
import org.detrkd.reports.aggregate.DirectionRule;
import org.detrkd.reports.aggregate.SuiteSummary;
import org.detrkd.reports.model.CocoMetrics;

/**
 * Markdown tables laid out like the paper: one section per suite and scale, one table per paper group, columns AP,
 * APs, APm, APl with our {@code mean ± std (delta)} and the paper's {@code value (delta)} beside; a dagger marks a
 * DISAGREE (our change is clearly of the opposite sign to the paper's claim) and {@code ≈0} a change within the
 * noise; a footnote states the {@link DirectionRule}. The caption says the scale and the preset; smoke sections say
 * "NOT A RESULT". Written to {@code tables.md}.
 */
public final class MarkdownFormat implements ResultFormat {
    /** The mark for a clear disagreement in direction with the paper. */
    public static final String DISAGREE = "\u2020";
    /**
     * The mark for a change within the noise. Not {@code ~0}: GitHub's Markdown reads a pair of single tildes as
     * strikethrough.
     */
    public static final String NOISE = "\u22480";

    @Override
    public String name() {
        return "markdown";
    }

    @Override
    public List<Path> write(ReportModel model, Path outDir) {
        Path file = outDir.resolve("tables.md");
        try {
            Files.createDirectories(outDir);
            Files.writeString(file, render(model), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        return List.of(file);
    }

    /** The whole Markdown document. */
    public String render(ReportModel model) {
        StringBuilder sb = new StringBuilder("# detrkd results\n\n");
        sb.append("COCO bbox AP in points (0-100): ours as mean \u00b1 sample std over seeds with (delta vs the plain ")
                .append("student of the same detector and schedule); the paper's value with (its delta vs its ")
                .append("baseline row) beside. ").append(DISAGREE)
                .append(" = DISAGREE: our change is clearly of the opposite sign to the paper's; ").append(NOISE)
                .append(" = our change is within the noise (no clear direction).[^direction]\n\n")
                .append("Paper: ").append(model.paperSource()).append(".\n");
        for (SuiteSummary s : model.suites()) {
            suite(sb, s, model.rule());
        }
        sb.append("\n[^direction]: ").append(ruleText(model.rule())).append('\n');
        return sb.toString();
    }

    /** The direction rule in one paragraph (the footnote; the HTML legend says the same). */
    static String ruleText(DirectionRule rule) {
        return "Direction rule. Our change is within the noise when, with two or more finished seeds on both "
                + "sides, |mean change| <= 2 x its standard error (paired by seed when the method and the plain "
                + "student have the same seeds: std of the per-seed differences / sqrt(n); otherwise unpaired: "
                + "sqrt(s1^2/n1 + s2^2/n2)), and, with a single seed on either side, when |change| < the noise floor "
                + "of " + Fmt.num(rule.noiseFloor()) + " AP points (option --noise-floor). A paper change below "
                + Fmt.num(DirectionRule.NO_CLAIM_BELOW) + " AP points is no claim. DISAGREE only when our change is "
                + "outside the noise and of the opposite sign to a paper claim; agree when of the same sign. "
                + "summary.csv gives each verdict (agree, disagree, within-noise, no-claim) with the change's "
                + "standard error and test.";
    }

    private static void suite(StringBuilder sb, SuiteSummary s, DirectionRule rule) {
        sb.append("\n## ").append(s.suite()).append(" (").append(s.scale().id()).append("): ").append(s.title())
                .append("\n\n");
        if (!s.isResult()) {
            sb.append("> **NOT A RESULT**: smoke scale, a pipeline test only.\n\n");
        }
        sb.append("Scale: ").append(s.scale().id()).append(". Preset: ")
                .append(s.presets().isEmpty() ? "none" : String.join(", ", s.presets()))
                .append(". Paper table: ").append(s.table() == null ? "none" : s.table()).append(".\n");
        for (String group : s.groups()) {
            if (!group.isEmpty()) {
                sb.append("\n### ").append(group).append('\n');
            }
            TableLayout layout = TableLayout.of(s, group, rule);
            sb.append("\n| row | method | preset | seeds |");
            layout.headers().forEach(m -> sb.append(' ').append(m).append(" |"));
            layout.headers().forEach(m -> sb.append(" paper ").append(m).append(" |"));
            sb.append("\n|---|---|---|---|");
            layout.headers().forEach(m -> sb.append("---:|---:|"));
            sb.append('\n');
            for (TableLayout.Line line : layout.lines()) {
                line(sb, line);
            }
        }
    }

    private static void line(StringBuilder sb, TableLayout.Line line) {
        sb.append("| ").append(escape(line.label())).append(" | ").append(line.method()).append(" | ")
                .append(line.preset()).append(" | ").append(line.seeds()).append(" |");
        line.ours().forEach(v -> sb.append(' ').append(marked(v)).append(" |"));
        line.paper().forEach(p -> sb.append(' ').append(p).append(" |"));
        sb.append('\n');
    }

    /** A value with its marks: {@code 41.8 (-0.4) ≈0}, {@code 27.0 (-1.0) †}. */
    private static String marked(TableLayout.Value v) {
        String s = v.text();
        if (v.noise()) {
            s += " " + NOISE;
        }
        return v.disagree() ? s + " " + DISAGREE : s;
    }

    /** Our cell text without marks: {@code 44.0 ± 0.3 (+1.9)}. */
    static String ours(AggregateRow row, String m) {
        String s = Fmt.meanStd(row.stats().get(m));
        Double d = row.delta().get(m);
        if (d != null) {
            s += " (" + Fmt.signed(d) + ")";
        }
        return s;
    }

    /** The paper's cell text: {@code 44.7 (+2.4)}, empty when the paper has no number. */
    static String paper(AggregateRow row, String m) {
        Double p = row.paper().get(m);
        if (p == null) {
            return "";
        }
        Double d = row.paperDelta().get(m);
        return Fmt.pts(p) + (d == null ? "" : " (" + Fmt.signed(d) + ")");
    }

    /** {@code 3} or {@code 3 (1 failed)}. */
    static String seeds(AggregateRow row) {
        int n = row.cells().size();
        return row.failed() == 0 ? Integer.toString(n) : n + " (" + row.failed() + " failed)";
    }

    private static String escape(String s) {
        return s.replace("|", "\\|");
    }
}
