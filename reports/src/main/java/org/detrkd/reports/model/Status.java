package org.detrkd.reports.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How a cell ended: {@code finished} (metrics present) or {@code failed} (a {@link Failure} present). */
public enum Status {
    @JsonProperty("finished") FINISHED,
    @JsonProperty("failed") FAILED;

    /** The JSON spelling. */
    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
