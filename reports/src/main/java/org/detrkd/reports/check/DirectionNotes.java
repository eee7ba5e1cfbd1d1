package org.detrkd.reports.check;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.detrkd.reports.aggregate.AggregateRow;
import org.detrkd.reports.aggregate.DirectionRule;
import org.detrkd.reports.aggregate.SuiteSummary;
import org.detrkd.reports.aggregate.Verdict;

/**
 * What {@code detrkd check} says, without gating, about the direction of our changes against the paper's claims
 * ({@link DirectionRule}): one {@code DISAGREE} line per row and metric whose change is clearly of the opposite sign,
 * then one line counting the verdicts. Smoke-scale rows are not results and are left out.
 */
public final class DirectionNotes {
    private DirectionNotes() {
    }

    /** The lines for {@code suites} aggregated with {@code rule}. */
    public static List<String> lines(List<SuiteSummary> suites, DirectionRule rule) {
        List<String> out = new ArrayList<>();
        Map<Verdict, Integer> counts = new EnumMap<>(Verdict.class);
        boolean smoke = false;
        for (SuiteSummary s : suites) {
            if (!s.isResult()) {
                smoke |= s.rows().stream().anyMatch(r -> !r.verdicts().isEmpty());
                continue;
            }
            for (AggregateRow r : s.rows()) {
                r.verdicts().forEach((m, v) -> {
                    counts.merge(v, 1, Integer::sum);
                    if (v == Verdict.DISAGREE) {
                        out.add(disagreement(s, r, m, rule));
                    }
                });
            }
        }
        out.add(String.format(Locale.ROOT, "direction vs the paper (not gating; noise floor %.2f AP points): "
                + "%d agree, %d disagree, %d within noise, %d no claim%s",
                rule.noiseFloor(), n(counts, Verdict.AGREE), n(counts, Verdict.DISAGREE),
                n(counts, Verdict.WITHIN_NOISE), n(counts, Verdict.NO_CLAIM),
                smoke ? "; smoke scale not counted" : ""));
        return out;
    }

    private static String disagreement(SuiteSummary s, AggregateRow r, String m, DirectionRule rule) {
        StringBuilder where = new StringBuilder(s.suite()).append(" (").append(s.scale().id()).append(") ");
        if (!r.key().group().isEmpty()) {
            where.append(r.key().group()).append(" / ");
        }
        where.append(r.key().row());
        if (!r.key().column().isEmpty()) {
            where.append(' ').append(r.key().column());
        }
        if (!r.key().preset().isEmpty()) {
            where.append(" [").append(r.key().preset()).append(']');
        }
        return String.format(Locale.ROOT, "DISAGREE %s %s: ours %+.2f vs the paper's %+.2f (%s)", where, m,
                r.changes().get(m).delta(), r.paperDelta().get(m), rule.explain(r.changes().get(m)));
    }

    private static int n(Map<Verdict, Integer> counts, Verdict v) {
        return counts.getOrDefault(v, 0);
    }
}
