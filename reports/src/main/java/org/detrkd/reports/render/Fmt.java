package org.detrkd.reports.render;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.detrkd.reports.aggregate.Stat;
import org.detrkd.reports.model.ResultJson;

/** Number and value formatting shared by the renderers: Locale.ROOT, fixed decimals, deterministic key order. */
public final class Fmt {
    /** Shown where a number is missing. */
    public static final String NA = "n/a";

    private Fmt() {
    }

    /** AP points with one decimal ({@code 44.7}), {@link #NA} for NaN. */
    public static String pts(double v) {
        return Double.isNaN(v) ? NA : String.format(Locale.ROOT, "%.1f", v);
    }

    /** A signed delta with one decimal ({@code +1.2}, {@code -0.3}, {@code +0.0}). */
    public static String signed(double v) {
        if (Double.isNaN(v)) {
            return NA;
        }
        String s = String.format(Locale.ROOT, "%+.1f", v);
        return s.equals("-0.0") ? "+0.0" : s;
    }

    /** {@code mean ± std} over seeds, or just the mean for one seed. */
    public static String meanStd(Stat s) {
        if (s.n() == 0) {
            return NA;
        }
        return s.n() < 2 ? pts(s.mean()) : pts(s.mean()) + " \u00b1 " + pts(s.std());
    }

    /** A general number: up to 4 significant decimals, no trailing zeros, {@code NaN}/{@code Infinity} kept. */
    public static String num(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return Double.toString(v);
        }
        String s = String.format(Locale.ROOT, "%.4f", v);
        s = s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
        return s.equals("-0") ? "0" : s;
    }

    /** A map (options, specs) as pretty JSON with sorted keys; {@code {}} for null. */
    public static String json(Object value) {
        try {
            Object sorted = value instanceof Map<?, ?> m ? new TreeMap<>(m) : value;
            return value == null ? "{}" : ResultJson.mapper().writeValueAsString(sorted);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot format " + value, e);
        }
    }

    /** A map as {@code k=v;k=v} with sorted keys (values as compact JSON), empty for null or empty. */
    public static String keyValues(Map<String, ?> map) {
        if (map == null || map.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, ?> e : new TreeMap<>(map).entrySet()) {
            if (sb.length() > 0) {
                sb.append(';');
            }
            sb.append(e.getKey()).append('=').append(compact(e.getValue()));
        }
        return sb.toString();
    }

    private static String compact(Object v) {
        if (v instanceof String s) {
            return s;
        }
        try {
            return ResultJson.mapper().writer().without(SerializationFeature.INDENT_OUTPUT).writeValueAsString(v);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot format " + v, e);
        }
    }

    /** A safe file name part: letters, digits, {@code . _ -}; anything else becomes {@code _}. */
    public static String slug(String s) {
        return s.replaceAll("[^A-Za-z0-9._-]", "_");
    }
}
