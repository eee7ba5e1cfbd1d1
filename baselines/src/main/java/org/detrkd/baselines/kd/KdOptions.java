package org.detrkd.baselines.kd;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The option map of one method ({@code --kd-option NAME=VALUE}) with its known names: typed reads with defaults, and
 * one-line errors for unknown names and bad values ({@code IllegalArgumentException}, mapped to exit 2 by the CLI).
 */
public final class KdOptions {

    private final String method;
    private final Map<String, String> values;

    /**
     * @param method the method's display name (for messages)
     * @param values the given options
     * @param known every option name the method accepts
     * @throws IllegalArgumentException for an unknown name
     */
    public KdOptions(String method, Map<String, String> values, List<String> known) {
        this.method = method;
        this.values = new TreeMap<>(values);
        for (String k : this.values.keySet()) {
            if (!known.contains(k)) {
                throw new IllegalArgumentException("unknown " + method + " option '" + k + "'; known: "
                        + String.join(", ", known));
            }
        }
    }

    /** @return the value of {@code name} as a double, or {@code fallback} */
    public double getDouble(String name, double fallback) {
        String v = values.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(method + " option " + name + ": not a number: '" + v + "'");
        }
    }

    /** @return the value of {@code name} as a long, or {@code fallback} */
    public long getLong(String name, long fallback) {
        String v = values.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(method + " option " + name + ": not an integer: '" + v + "'");
        }
    }

    /** @return the value of {@code name} as a boolean ({@code true|false}), or {@code fallback} */
    public boolean getBoolean(String name, boolean fallback) {
        String v = values.get(name);
        if (v == null) {
            return fallback;
        }
        if (!v.equals("true") && !v.equals("false")) {
            throw new IllegalArgumentException(method + " option " + name + ": expected true or false, got '" + v + "'");
        }
        return Boolean.parseBoolean(v);
    }

    /** @return the value of {@code name}, or {@code fallback} */
    public String getString(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    /** @return the feature source of option {@code source} (default {@link FeatureSource#BACKBONE}) */
    public FeatureSource source() {
        return FeatureSource.of(getString("source", FeatureSource.BACKBONE.option()));
    }
}
