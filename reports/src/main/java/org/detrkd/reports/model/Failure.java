package org.detrkd.reports.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/**
 * Why a cell failed.
 *
 * @param message one line, what went wrong (for example {@code non-finite loss})
 * @param step the global training step at which it failed ({@code -1} when not in training)
 * @param terms the unweighted loss terms at that step, by name (may hold NaN/Infinity); empty when unknown
 */
public record Failure(
        @JsonProperty(value = "message", required = true) String message,
        @JsonProperty(value = "step", required = true) long step,
        @JsonProperty(value = "terms", required = true) Map<String, Double> terms) {
}
