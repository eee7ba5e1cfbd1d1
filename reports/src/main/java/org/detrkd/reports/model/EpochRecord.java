package org.detrkd.reports.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/**
 * One epoch of training history.
 *
 * @param epoch 1-based epoch number
 * @param ap bbox AP on the 0-1 scale after this epoch, or null when not evaluated at this epoch
 * @param loss mean unweighted loss terms over the epoch, by name ({@code loss_ce}, {@code loss_bbox}, {@code loss_ld},
 *     ...)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EpochRecord(
        @JsonProperty(value = "epoch", required = true) int epoch,
        @JsonProperty("AP") Double ap,
        @JsonProperty(value = "loss", required = true) Map<String, Double> loss) {
}
