package org.detrkd.reports.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * The 12 COCO bbox statistics in pycocotools' order, on the 0-1 scale ({@code -1} where pycocotools has no value,
 * e.g. no small objects).
 */
public record CocoMetrics(
        @JsonProperty(value = "AP", required = true) double ap,
        @JsonProperty(value = "AP50", required = true) double ap50,
        @JsonProperty(value = "AP75", required = true) double ap75,
        @JsonProperty(value = "APs", required = true) double aps,
        @JsonProperty(value = "APm", required = true) double apm,
        @JsonProperty(value = "APl", required = true) double apl,
        @JsonProperty(value = "AR1", required = true) double ar1,
        @JsonProperty(value = "AR10", required = true) double ar10,
        @JsonProperty(value = "AR100", required = true) double ar100,
        @JsonProperty(value = "ARs", required = true) double ars,
        @JsonProperty(value = "ARm", required = true) double arm,
        @JsonProperty(value = "ARl", required = true) double arl) {

    /** The 12 names in pycocotools' order (the JSON keys). */
    public static final List<String> NAMES =
            List.of("AP", "AP50", "AP75", "APs", "APm", "APl", "AR1", "AR10", "AR100", "ARs", "ARm", "ARl");

    /** The four columns the paper's tables report. */
    public static final List<String> PAPER_COLUMNS = List.of("AP", "APs", "APm", "APl");

    /** The 12 values in {@link #NAMES} order. */
    public double[] values() {
        return new double[] {ap, ap50, ap75, aps, apm, apl, ar1, ar10, ar100, ars, arm, arl};
    }

    /** The value named {@code name} (one of {@link #NAMES}). */
    public double get(String name) {
        int i = NAMES.indexOf(name);
        if (i < 0) {
            throw new IllegalArgumentException("unknown COCO metric '" + name + "', known: " + NAMES);
        }
        return values()[i];
    }
}
