package org.detrkd.reports.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The scale a cell ran at. Only {@code paper} and {@code mini} numbers are results; {@code smoke} runs exist to test
 * the pipeline in seconds and every report marks them "not a result".
 */
public enum Scale {
    /** COCO, the paper's schedule (days of GPU). */
    @JsonProperty("paper") PAPER,
    /** Generated data, CPU minutes. */
    @JsonProperty("mini") MINI,
    /** Seconds, tests only: NOT a result. */
    @JsonProperty("smoke") SMOKE;

    /** The JSON spelling ({@code paper}, {@code mini}, {@code smoke}). */
    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Whether numbers at this scale may be read as results. */
    public boolean isResult() {
        return this != SMOKE;
    }
}
